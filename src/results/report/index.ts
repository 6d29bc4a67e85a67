/** The self-contained HTML report of a stored run (`basis report`, GET /api/backtests/{id}/report). */
export { renderReport, headlineFigures, type HeadlineFigure } from './html.js';
export { pct, amount, ratio } from './format.js';
