/*
 * Chart building blocks shared by the web UI and the HTML report (classic script, no build step): number
 * formats, palette, chart.js options for time series, threshold lines. Defines window.BasisChartBase;
 * web/js/charts.js draws the run and comparison charts with it.
 */
(function (global) {
  'use strict';

  const PALETTE = [
    '#2563eb',
    '#16a34a',
    '#dc2626',
    '#9333ea',
    '#ea580c',
    '#0891b2',
    '#ca8a04',
    '#db2777',
    '#4b5563',
    '#65a30d',
  ];
  const SOURCE_COLORS = {
    supply_yield: '#16a34a',
    borrow_cost: '#dc2626',
    funding: '#2563eb',
    staking_yield: '#0891b2',
    rewards: '#65a30d',
    price: '#9333ea',
    trading_fees: '#ea580c',
    gas: '#ca8a04',
    liquidation: '#7f1d1d',
  };
  const PNL_SOURCES = Object.keys(SOURCE_COLORS);

  // Number formats (the report renders the same formats on the server)
  function num(x) {
    return typeof x === 'number' && Number.isFinite(x);
  }
  function pct(x, digits) {
    return num(x) ? (x * 100).toFixed(digits === undefined ? 2 : digits) + ' %' : 'n/a';
  }
  function amount(x, unit) {
    if (!num(x)) return 'n/a';
    const digits = unit === 'USDT' ? 2 : 6;
    return x.toLocaleString('en-US', { maximumFractionDigits: digits }) + (unit ? ' ' + unit : '');
  }
  function ratio(x, digits) {
    return num(x) ? x.toFixed(digits === undefined ? 2 : digits) : 'n/a';
  }
  function date(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }
  function dateTime(ms) {
    return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  }

  function column(series, name) {
    const c = series.columns.find(function (x) {
      return x.name === name;
    });
    return c ? c.values : null;
  }
  function points(t, values) {
    return values.map(function (v, i) {
      return { x: t[i], y: v };
    });
  }
  function allNull(values) {
    return (
      !values ||
      values.every(function (v) {
        return v === null;
      })
    );
  }

  function baseOptions(opts) {
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      spanGaps: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: {
        legend: { display: opts.legend !== false, position: 'bottom', labels: { boxWidth: 12 } },
        title: { display: !!opts.title, text: opts.title, align: 'start', font: { size: 14, weight: '600' } },
        tooltip: {
          callbacks: {
            title: function (items) {
              return items.length ? dateTime(items[0].parsed.x) : '';
            },
            label: function (item) {
              return item.dataset.label + ': ' + (opts.yFormat || String)(item.parsed.y);
            },
          },
        },
      },
      scales: {
        x: {
          type: 'linear',
          min: opts.xMin,
          max: opts.xMax,
          stacked: !!opts.stacked,
          ticks: { maxTicksLimit: 8, callback: date },
          grid: { display: false },
        },
        y: {
          stacked: !!opts.stacked,
          title: { display: !!opts.yTitle, text: opts.yTitle },
          min: opts.yMin,
          max: opts.yMax,
          ticks: { callback: opts.yFormat || undefined },
        },
      },
    };
  }

  function lineDataset(label, data, color, extra) {
    return Object.assign(
      {
        label: label,
        data: data,
        borderColor: color,
        backgroundColor: color,
        borderWidth: 1.5,
        pointRadius: 0,
      },
      extra || {},
    );
  }

  /** Constant dashed lines for thresholds, spanning the time axis. */
  function thresholdDatasets(t, lines) {
    return lines
      .filter(function (l) {
        return num(l.value);
      })
      .map(function (l) {
        return lineDataset(
          l.label + ' ' + l.value,
          [
            { x: t[0], y: l.value },
            { x: t[t.length - 1], y: l.value },
          ],
          l.color,
          { borderDash: [6, 4], borderWidth: 1.25 },
        );
      });
  }

  function makeChart(container, key, config) {
    const box = document.createElement('div');
    box.className = 'chart-box';
    box.dataset.chart = key;
    const canvas = document.createElement('canvas');
    box.appendChild(canvas);
    container.appendChild(box);
    return new global.Chart(canvas, config);
  }

  function note(container, key, text) {
    const p = document.createElement('p');
    p.className = 'chart-note';
    p.dataset.chart = key;
    p.textContent = text;
    container.appendChild(p);
  }

  /** A robust upper bound for ratios that explode when a position is tiny (margin ratio). */
  function clipMax(values, floor) {
    const xs = values.filter(num).sort(function (a, b) {
      return a - b;
    });
    if (!xs.length) return undefined;
    const p98 = xs[Math.floor(0.98 * (xs.length - 1))];
    return Math.max(p98 * 1.15, floor);
  }

  global.BasisChartBase = {
    PALETTE: PALETTE,
    SOURCE_COLORS: SOURCE_COLORS,
    PNL_SOURCES: PNL_SOURCES,
    format: { pct: pct, amount: amount, ratio: ratio, date: date, dateTime: dateTime },
    num: num,
    column: column,
    points: points,
    allNull: allNull,
    baseOptions: baseOptions,
    lineDataset: lineDataset,
    thresholdDatasets: thresholdDatasets,
    makeChart: makeChart,
    note: note,
    clipMax: clipMax,
  };
})(window);
