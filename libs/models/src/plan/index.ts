export { INPUT_NODE, type ModelPlan, paramsOf, type PlanNode, sizeOf, type WeightPlan } from './model-plan';
export { planModel, type PlanOptions, type PlanResult, requirePlan, validateModelSpec } from './plan-model';
export { InvalidModelSpecError, sortIssues, type ValidationIssue } from './validation-issue';
