/** The syntax tree of an arithmetic expression; every node keeps its source position for errors. */
export type BinaryOperator = '+' | '-' | '*' | '/' | '//' | '%' | '**';

export type ExpressionNode =
  | { readonly type: 'number'; readonly value: number; readonly position: number }
  | { readonly type: 'name'; readonly name: string; readonly position: number }
  | {
      readonly type: 'unary';
      readonly operator: '+' | '-';
      readonly operand: ExpressionNode;
      readonly position: number;
    }
  | {
      readonly type: 'binary';
      readonly operator: BinaryOperator;
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
      readonly position: number;
    }
  | {
      readonly type: 'call';
      readonly name: string;
      readonly args: readonly ExpressionNode[];
      readonly position: number;
    };
