'use strict';
/** Number formatting for the report (plain ASCII, stable across locales). */
function int(value) {
  if (!Number.isFinite(value)) return '–';
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function ms(value) {
  if (!Number.isFinite(value)) return '–';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function ratio(value) {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '–';
}

function fixed(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

module.exports = { int, ms, ratio, fixed };
