/**
 * Just enough of Grafana's dashboard JSON model (schemaVersion 39, Grafana 10/11) to build the
 * Athanor dashboards from code. Hand-written instead of @grafana/grafana-foundation-sdk: the
 * subset is small, and the output is checked against Prometheus by the tests.
 */

/** Panels reach Prometheus through the dashboard's `datasource` variable (works with the sidecar). */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Target {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
  readonly datasource: typeof DATASOURCE;
  readonly range: true;
  readonly instant: false;
}

export interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface Panel {
  readonly id: number;
  readonly type: 'timeseries' | 'heatmap' | 'stat' | 'row';
  readonly title: string;
  readonly description?: string;
  readonly gridPos: GridPos;
  readonly datasource?: typeof DATASOURCE;
  readonly targets?: readonly Target[];
  readonly fieldConfig?: object;
  readonly options?: object;
}

export interface Variable {
  readonly name: string;
  readonly label: string;
  readonly type: 'datasource' | 'query';
  readonly [key: string]: unknown;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly Variable[] };
  readonly [key: string]: unknown;
}

/** One PromQL query of a panel. */
export function query(expr: string, legendFormat: string, refId = 'A'): Target {
  return { refId, expr, legendFormat, datasource: DATASOURCE, range: true, instant: false };
}

/** The datasource variable every dashboard starts with. */
export function datasourceVariable(): Variable {
  return {
    name: 'datasource',
    label: 'Prometheus',
    type: 'datasource',
    query: 'prometheus',
    current: {},
    hide: 0,
    refresh: 1,
    regex: '',
  };
}

/**
 * A multi-value label variable with "All" (matching every value, the empty one included, so runs
 * outside a study show under study=All).
 */
export function labelVariable(name: string, label: string, metric: string, selector = ''): Variable {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    query: { query: `label_values(${metric}${selector}, ${name})`, refId: `${name}-values` },
    definition: `label_values(${metric}${selector}, ${name})`,
    includeAll: true,
    allValue: '.*',
    multi: true,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    refresh: 2,
    sort: 1,
    hide: 0,
    regex: '',
  };
}

/** The dashboard envelope: everything but panels and variables is fixed. */
export function dashboard(fields: {
  uid: string;
  title: string;
  description: string;
  panels: readonly Panel[];
  variables: readonly Variable[];
}): Dashboard {
  return {
    uid: fields.uid,
    title: fields.title,
    description: fields.description,
    tags: ['athanor'],
    editable: true,
    graphTooltip: 1,
    refresh: '10s',
    schemaVersion: 39,
    time: { from: 'now-1h', to: 'now' },
    timezone: 'browser',
    version: 1,
    panels: fields.panels,
    templating: { list: fields.variables },
    annotations: { list: [] },
  };
}

/** Lays panels out left to right, `perRow` to a row of height `h`, and numbers them. */
export class Layout {
  private next = 0;
  private id = 1;

  constructor(
    private readonly perRow = 2,
    private readonly h = 8,
  ) {}

  place<P extends Omit<Panel, 'id' | 'gridPos'>>(panel: P, span = 1): P & Pick<Panel, 'id' | 'gridPos'> {
    const w = (24 / this.perRow) * span;
    let x = (this.next % this.perRow) * (24 / this.perRow);
    if (x + w > 24) {
      this.next += this.perRow - (this.next % this.perRow);
      x = 0;
    }
    const y = Math.floor(this.next / this.perRow) * this.h;
    this.next += span;
    return { ...panel, id: this.id++, gridPos: { x, y, w, h: this.h } };
  }
}

/** A time-series panel. */
export function timeseries(
  title: string,
  description: string,
  targets: readonly Target[],
  unit = 'short',
  log = false,
): Omit<Panel, 'id' | 'gridPos'> {
  return {
    type: 'timeseries',
    title,
    description,
    datasource: DATASOURCE,
    targets,
    fieldConfig: {
      defaults: {
        unit,
        custom: {
          drawStyle: 'line',
          lineWidth: 1,
          showPoints: 'never',
          ...(log ? { scaleDistribution: { type: 'log', log: 10 } } : {}),
        },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi' },
    },
  };
}

/** A stat panel (the latest value). */
export function stat(
  title: string,
  description: string,
  targets: readonly Target[],
  unit = 'short',
): Omit<Panel, 'id' | 'gridPos'> {
  return {
    type: 'stat',
    title,
    description,
    datasource: DATASOURCE,
    targets,
    fieldConfig: { defaults: { unit }, overrides: [] },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'value',
      graphMode: 'area',
    },
  };
}

/** A heatmap of series over time (one row per series, e.g. per layer group), no bucketing. */
export function seriesHeatmap(
  title: string,
  description: string,
  targets: readonly Target[],
): Omit<Panel, 'id' | 'gridPos'> {
  return {
    type: 'heatmap',
    title,
    description,
    datasource: DATASOURCE,
    targets,
    fieldConfig: { defaults: { custom: { scaleDistribution: { type: 'linear' } } }, overrides: [] },
    options: {
      calculate: false,
      rowsFrame: { layout: 'auto' },
      yAxis: { axisPlacement: 'left', reverse: true },
      color: {
        mode: 'scheme',
        scheme: 'Spectral',
        scale: 'exponential',
        exponent: 0.5,
        steps: 64,
        reverse: false,
      },
      cellGap: 1,
      legend: { show: true },
      tooltip: { mode: 'single', yHistogram: false, showColorScale: true },
    },
  };
}
