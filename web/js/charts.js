/*
 * The charts of a run and of a comparison, shared by the web UI and the HTML report: a classic script (no
 * modules, no build step) that defines window.BasisCharts on top of chart.js (window.Chart) and
 * web/js/chart-base.js (window.BasisChartBase). Data come in the shape
 * of the API: series {t: [epoch ms], columns: [{name, group, agg, unit, values}]}, null = no value.
 */
(function (global) {
  'use strict';

  const B = global.BasisChartBase;
  const PALETTE = B.PALETTE;
  const SOURCE_COLORS = B.SOURCE_COLORS;
  const PNL_SOURCES = B.PNL_SOURCES;
  const pct = B.format.pct;
  const amount = B.format.amount;
  const ratio = B.format.ratio;
  const column = B.column;
  const points = B.points;
  const allNull = B.allNull;
  const baseOptions = B.baseOptions;
  const lineDataset = B.lineDataset;
  const thresholdDatasets = B.thresholdDatasets;
  const makeChart = B.makeChart;
  const note = B.note;
  const clipMax = B.clipMax;
  const MR_DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4]];

  /**
   * Every chart of one run into `root`: equity, drawdown, PnL by source (stacked), balance sheet by
   * venue (stacked), health factor / margin ratio / net delta with their thresholds.
   * data = {summary, series, pnl}: `series` at full chart resolution, `pnl` coarser (bars per period).
   */
  function renderRun(root, data) {
    const s = data.summary;
    const sc = s.share_class;
    const cfg = s.config || {};
    const risk = cfg.risk || {};
    const strat = cfg.strategy || {};
    const series = data.series;
    const t = series.t;
    const charts = [];
    const money = function (v) {
      return amount(v, sc);
    };
    const span = { xMin: t[0], xMax: t[t.length - 1] };
    const opt = function (o) {
      return baseOptions(Object.assign({}, span, o));
    };

    charts.push(
      makeChart(root, 'equity', {
        type: 'line',
        data: {
          datasets: [lineDataset('equity (' + sc + ')', points(t, column(series, 'equity')), PALETTE[0])],
        },
        options: opt({ title: 'Equity', yFormat: money, legend: false }),
      }),
    );
    charts.push(
      makeChart(root, 'drawdown', {
        type: 'line',
        data: {
          datasets: [
            lineDataset(
              'drawdown',
              points(
                t,
                column(series, 'drawdown').map(function (v) {
                  return v === null ? null : -v;
                }),
              ),
              PALETTE[2],
              { fill: 'origin', backgroundColor: 'rgba(220,38,38,0.2)' },
            ),
          ],
        },
        options: opt({
          title: 'Drawdown (time-weighted)',
          yFormat: function (v) {
            return pct(v);
          },
          legend: false,
          yMax: 0,
        }),
      }),
    );

    const pnl = data.pnl;
    const bars = PNL_SOURCES.map(function (src) {
      const v = column(pnl, 'pnl.' + src);
      if (
        !v ||
        v.every(function (x) {
          return !x;
        })
      )
        return null;
      return {
        type: 'bar',
        label: src,
        data: points(pnl.t, v),
        backgroundColor: SOURCE_COLORS[src],
        stack: 'pnl',
      };
    }).filter(Boolean);
    const cumTotal = column(pnl, 'cum.pnl');
    if (cumTotal) {
      bars.push(
        lineDataset('cumulative PnL', points(pnl.t, cumTotal), '#111827', {
          type: 'line',
          yAxisID: 'y2',
          borderWidth: 2,
        }),
      );
    }
    const pnlOptions = opt({
      title: 'PnL by source per period (stacked) and cumulative',
      yFormat: money,
      stacked: true,
    });
    pnlOptions.scales.x.offset = false;
    pnlOptions.scales.y2 = {
      position: 'right',
      grid: { display: false },
      ticks: { callback: money },
      title: { display: true, text: 'cumulative' },
    };
    pnlOptions.datasets = { bar: { barPercentage: 1, categoryPercentage: 1 } };
    charts.push(makeChart(root, 'pnl', { type: 'bar', data: { datasets: bars }, options: pnlOptions }));

    // Balance sheet: value per venue (Σ value.<venue>:<type>:<symbol>)
    const venues = {};
    series.columns.forEach(function (c) {
      if (c.group !== 'value') return;
      const venue = c.name.slice('value.'.length).split(':')[0];
      const acc =
        venues[venue] ||
        (venues[venue] = c.values.map(function () {
          return 0;
        }));
      c.values.forEach(function (v, i) {
        acc[i] += v === null ? 0 : v;
      });
    });
    const venueSets = Object.keys(venues)
      .filter(function (v) {
        return venues[v].some(function (x) {
          return Math.abs(x) > 1e-9;
        });
      })
      .map(function (v, i) {
        return lineDataset(v, points(t, venues[v]), PALETTE[i % PALETTE.length], {
          fill: i === 0 ? 'origin' : '-1',
          backgroundColor: PALETTE[i % PALETTE.length] + '55',
        });
      });
    charts.push(
      makeChart(root, 'balance', {
        type: 'line',
        data: { datasets: venueSets },
        options: opt({
          title: 'Balance sheet by venue (' + sc + ', stacked)',
          yFormat: money,
          stacked: true,
        }),
      }),
    );

    // only modes with a lending venue record a health factor; without one the panel is left out
    const hf = column(series, 'health_factor');
    if (!hf) {
      // nothing: no lending venue (basis, ML)
    } else if (allNull(hf)) {
      note(root, 'health_factor', 'Health factor: no debt in this run (not applicable).');
    } else {
      const hfSets = [lineDataset('health factor', points(t, hf), PALETTE[1])].concat(
        thresholdDatasets(t, [
          { label: 'warning', value: risk.health_factor_warning, color: '#ca8a04' },
          { label: 'critical', value: risk.health_factor_critical, color: '#dc2626' },
        ]),
      );
      charts.push(
        makeChart(root, 'health_factor', {
          type: 'line',
          data: { datasets: hfSets },
          options: opt({
            title: 'Aave health factor',
            yFormat: function (v) {
              return ratio(v, 3);
            },
          }),
        }),
      );
    }

    const mrCols = series.columns.filter(function (c) {
      return c.name.indexOf('margin_ratio.') === 0 && !allNull(c.values);
    });
    if (mrCols.length === 0) {
      note(root, 'margin_ratio', 'Margin ratio: no CEX perp positions in this run.');
    } else {
      const all = [];
      const mrSets = mrCols
        .map(function (c, i) {
          c.values.forEach(function (v) {
            all.push(v);
          });
          // venues often share a ratio: wide solid first, then narrower dashed lines on top, so
          // one venue's line never hides another's
          return lineDataset(
            c.name.slice('margin_ratio.'.length),
            points(t, c.values),
            PALETTE[i % PALETTE.length],
            {
              borderWidth: Math.max(1.25, 4 - 1.25 * i),
              borderDash: MR_DASHES[i % MR_DASHES.length],
              order: -i,
            },
          );
        })
        .concat(
          thresholdDatasets(t, [
            { label: 'warning', value: risk.margin_ratio_warning, color: '#ca8a04' },
            { label: 'critical', value: risk.margin_ratio_critical, color: '#dc2626' },
          ]),
        );
      charts.push(
        makeChart(root, 'margin_ratio', {
          type: 'line',
          data: { datasets: mrSets },
          options: opt({
            title: 'Margin ratio per venue (margin balance / notional)',
            yFormat: function (v) {
              return pct(v, 1);
            },
            yMin: 0,
            yMax: clipMax(all, (risk.margin_ratio_warning || 0.1) * 1.5),
          }),
        }),
      );
    }

    const deltaCol = series.columns.find(function (c) {
      return c.name.indexOf('net_delta.') === 0;
    });
    const drift = column(series, 'delta_drift');
    if (!deltaCol || allNull(drift)) {
      note(root, 'net_delta', 'Net delta: the mode holds no price risk asset (not applicable).');
    } else {
      const asset = deltaCol.name.slice('net_delta.'.length);
      // Holding the share-class asset is not price risk: drift and its limit apply only when they differ
      const hedged = asset !== sc;
      const dSets = hedged
        ? [lineDataset('delta drift (|net delta| / equity)', points(t, drift), PALETTE[3])].concat(
            thresholdDatasets(t, [
              { label: 'max_delta_drift', value: strat.max_delta_drift, color: '#dc2626' },
            ]),
          )
        : [];
      dSets.push(
        lineDataset('net delta (' + asset + ')', points(t, deltaCol.values), PALETTE[5], {
          yAxisID: hedged ? 'y2' : 'y',
          borderDash: hedged ? [2, 2] : undefined,
        }),
      );
      const deltaTicks = {
        callback: function (v) {
          return Math.abs(v) < 1e-9 ? '0' : Number(v.toPrecision(4));
        },
      };
      const o = hedged
        ? opt({
            title: 'Net delta and delta drift',
            yFormat: function (v) {
              return pct(v, 2);
            },
            yMin: 0,
          })
        : opt({
            title: 'Net ' + asset + ' delta (share class ' + sc + ': not price risk)',
            yFormat: deltaTicks.callback,
            legend: false,
          });
      if (hedged) {
        o.scales.y2 = {
          position: 'right',
          grid: { display: false },
          title: { display: true, text: asset },
          ticks: deltaTicks,
        };
      }
      charts.push(makeChart(root, 'net_delta', { type: 'line', data: { datasets: dSets }, options: o }));
    }
    return charts;
  }

  /** Comparison charts: cumulative time-weighted return and drawdown of several runs on one time axis. */
  function renderCompare(root, runs) {
    const label = function (r) {
      return r.mode + ' ' + r.id.slice(0, 15) + (r.synthetic ? ' (synthetic)' : '');
    };
    const ret = runs.map(function (r, i) {
      return lineDataset(
        label(r),
        points(
          r.series.t,
          r.series.twr_index.map(function (v) {
            return v === null ? null : v - 1;
          }),
        ),
        PALETTE[i % PALETTE.length],
      );
    });
    const dd = runs.map(function (r, i) {
      return lineDataset(
        label(r),
        points(
          r.series.t,
          r.series.drawdown.map(function (v) {
            return v === null ? null : -v;
          }),
        ),
        PALETTE[i % PALETTE.length],
      );
    });
    const fmt = function (v) {
      return pct(v);
    };
    const xMin = Math.min.apply(
      null,
      runs.map(function (r) {
        return r.series.t[0];
      }),
    );
    const xMax = Math.max.apply(
      null,
      runs.map(function (r) {
        return r.series.t[r.series.t.length - 1];
      }),
    );
    return [
      makeChart(root, 'compare_return', {
        type: 'line',
        data: { datasets: ret },
        options: baseOptions({ title: 'Time-weighted return', yFormat: fmt, xMin: xMin, xMax: xMax }),
      }),
      makeChart(root, 'compare_drawdown', {
        type: 'line',
        data: { datasets: dd },
        options: baseOptions({ title: 'Drawdown', yFormat: fmt, yMax: 0, xMin: xMin, xMax: xMax }),
      }),
    ];
  }

  /** The equity curve in one of three views: time-weighted, time-weighted on a log axis, or as booked. */
  function equityView(ts, view) {
    const c = ts.curves;
    const raw = view === 'raw';
    return {
      label: raw
        ? 'equity with deposits (' + ts.share_class + ')'
        : 'time-weighted equity (' + ts.share_class + ')',
      data: points(c.t, raw ? c.equity : c.twr_equity),
      type: view === 'log' ? 'logarithmic' : 'linear',
    };
  }

  /**
   * The tearsheet's charts of one run into `root`: equity with a view toggle (time-weighted, log,
   * with deposits), underwater curve, rolling Sharpe and drawdown, the benchmark overlay (or why there
   * is none). `ts` is GET /api/backtests/{id}/tearsheet.
   */
  function renderTearsheet(root, ts) {
    const c = ts.curves;
    const span = { xMin: c.t[0], xMax: c.t[c.t.length - 1] };
    const money = function (v) {
      return amount(v, ts.share_class);
    };
    const fmtPct = function (v) {
      return pct(v);
    };
    const charts = [];
    const bar = document.createElement('div');
    bar.className = 'toolbar';
    bar.dataset.chart = 'equity_toggle';
    const label = document.createElement('label');
    label.textContent = 'Equity view ';
    const select = document.createElement('select');
    select.id = 'equity-view';
    [
      ['twr', 'time-weighted (deposit-neutral)'],
      ['log', 'time-weighted, log scale'],
      ['raw', 'equity with deposits'],
    ].forEach(function (o) {
      const opt = document.createElement('option');
      opt.value = o[0];
      opt.textContent = o[1];
      select.appendChild(opt);
    });
    label.appendChild(select);
    bar.appendChild(label);
    root.appendChild(bar);
    const first = equityView(ts, 'twr');
    const eqOptions = baseOptions(Object.assign({}, span, { title: 'Equity', yFormat: money, legend: true }));
    const eq = makeChart(root, 'equity_view', {
      type: 'line',
      data: { datasets: [lineDataset(first.label, first.data, PALETTE[0])] },
      options: eqOptions,
    });
    select.addEventListener('change', function () {
      const v = equityView(ts, select.value);
      eq.data.datasets[0].label = v.label;
      eq.data.datasets[0].data = v.data;
      eq.options.scales.y.type = v.type;
      eq.update('none');
      eq.canvas.parentElement.dataset.view = select.value;
    });
    eq.canvas.parentElement.dataset.view = 'twr';
    charts.push(eq);
    // a run without a drawdown: a flat line at 0 on a small axis, not on chart.js's default −100 %
    const flatBelow = function (o) {
      o.scales.y.suggestedMin = -0.001;
      return o;
    };
    charts.push(
      makeChart(root, 'underwater', {
        type: 'line',
        data: {
          datasets: [
            lineDataset('underwater (below the running peak)', points(c.t, c.underwater), PALETTE[2], {
              fill: 'origin',
              backgroundColor: 'rgba(220,38,38,0.2)',
            }),
          ],
        },
        options: flatBelow(
          baseOptions(
            Object.assign({}, span, {
              title: 'Underwater (time-weighted)',
              yFormat: fmtPct,
              legend: false,
              yMax: 0,
            }),
          ),
        ),
      }),
    );
    const roll = ts.rolling;
    const rp = function (list) {
      return list.map(function (p) {
        return { x: p.t, y: p.value };
      });
    };
    if (roll.sharpe.length === 0) {
      note(root, 'rolling_sharpe', 'Rolling figures need at least ' + roll.window_days + ' days.');
    } else {
      charts.push(
        makeChart(root, 'rolling_sharpe', {
          type: 'line',
          data: { datasets: [lineDataset('Sharpe', rp(roll.sharpe), PALETTE[3])] },
          options: baseOptions(
            Object.assign({}, span, {
              title: 'Rolling Sharpe (' + roll.window_days + ' days)',
              yFormat: function (v) {
                return ratio(v);
              },
              legend: false,
            }),
          ),
        }),
      );
      charts.push(
        makeChart(root, 'rolling_drawdown', {
          type: 'line',
          data: {
            datasets: [
              lineDataset(
                'drawdown',
                rp(roll.drawdown).map(function (p) {
                  return { x: p.x, y: p.y === null ? null : -p.y };
                }),
                PALETTE[4],
              ),
            ],
          },
          options: flatBelow(
            baseOptions(
              Object.assign({}, span, {
                title: 'Rolling drawdown (from the ' + roll.window_days + '-day peak)',
                yFormat: fmtPct,
                legend: false,
                yMax: 0,
              }),
            ),
          ),
        }),
      );
    }
    // without a benchmark the page says why beside the figures (#benchmark-none): no chart
    const b = ts.benchmark;
    if (b.available) {
      const rel = function (xs) {
        return xs.map(function (v) {
          return v - 1;
        });
      };
      charts.push(
        makeChart(root, 'benchmark', {
          type: 'line',
          data: {
            datasets: [
              lineDataset('this run', points(b.series.t, rel(b.series.run)), PALETTE[0]),
              lineDataset(b.label, points(b.series.t, rel(b.series.benchmark)), PALETTE[6], {
                borderDash: [6, 3],
              }),
            ],
          },
          options: baseOptions(
            Object.assign({}, span, {
              title: 'Return against ' + b.label + ' (' + b.from + ' .. ' + b.to + ')',
              yFormat: fmtPct,
            }),
          ),
        }),
      );
    }
    return charts;
  }

  global.BasisCharts = {
    renderRun: renderRun,
    renderTearsheet: renderTearsheet,
    renderCompare: renderCompare,
    PNL_SOURCES: PNL_SOURCES,
    SOURCE_COLORS: SOURCE_COLORS,
    format: B.format,
  };
})(window);
