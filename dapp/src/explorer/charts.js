// Plots where they beat numbers, as small SVG images that screen readers read by their label:
// money received over time (a dataset's royalties, a contributor's earnings, per token) and a
// proposal's votes over its voting period.
import { formatEther } from "../units.js";
import { amountText } from "../shared.js";
import { dayText, t } from "../i18n.js";

const NS = "http://www.w3.org/2000/svg";

function svgOf(attributes, ...children) {
  const svg = document.createElementNS(NS, "svg");
  for (const [k, v] of Object.entries(attributes)) svg.setAttribute(k, v);
  svg.append(...children);
  return svg;
}

function pathOf(d, cls) {
  const line = document.createElementNS(NS, "path");
  line.setAttribute("d", d);
  if (cls) line.setAttribute("class", cls);
  return line;
}

// x and y of a plot W x H (PAD inside) over times [first, last] and amounts [0, most].
function scales(W, H, PAD, first, last, most) {
  return [(s) => PAD + (last === first ? W - 2 * PAD : ((s - first) / (last - first)) * (W - 2 * PAD)),
          (v) => H - PAD - Number((BigInt(v) * 1000n) / most) / 1000 * (H - 2 * PAD)];
}

// A running total in one token over time, `points` [[seconds, total], ...] (the index's
// `royaltySeries`, `earnedSeries`): a step line from nothing to the total, dated at both ends.
// `what` is "paid" (a dataset's royalties) or "earned" (a contributor's share of them).
export async function moneyChart(token, points, what = "paid") {
  const W = 320, H = 120, PAD = 4;
  const first = points[0][0], last = points[points.length - 1][0];
  const most = points.reduce((m, [, v]) => (BigInt(v) > m ? BigInt(v) : m), 1n);
  const [x, y] = scales(W, H, PAD, first, last, most);
  let path = `M${x(first)},${H - PAD}`;
  let level = H - PAD;
  for (const [s, v] of points) {
    path += ` L${x(s)},${level} L${x(s)},${y(v)}`;
    level = y(v);
  }
  const total = await amountText(token, BigInt(points[points.length - 1][1]));
  const vars = { total, from: dayText(first), to: dayText(last), n: points.length };
  const title = document.createElementNS(NS, "title");
  title.textContent = t(`chart.${what}.title`, vars);
  const svg = svgOf({ viewBox: `0 0 ${W} ${H}`, class: "royalty-chart", role: "img", "data-token": token,
                      "aria-label": t(`chart.${what}.label`, vars) }, title, pathOf(path));
  const axis = document.createElement("p");
  axis.className = "chart-axis";
  axis.setAttribute("aria-hidden", "true");
  axis.append(Object.assign(document.createElement("span"), { textContent: vars.from }),
              Object.assign(document.createElement("span"), { textContent: vars.to }));
  const caption = Object.assign(document.createElement("figcaption"), { textContent: t(`chart.${what}.caption`, vars) });
  const figure = Object.assign(document.createElement("figure"), { className: "royalty-figure" });
  figure.append(svg, axis, caption);
  return figure;
}

// A proposal's for / against / abstain over time, `p.series` [[block, for, against, abstain,
// seconds], ...]: three lines; its label is the tally after the last vote and when that was.
export function votesChart(p) {
  const W = 120, H = 36, points = p.series;
  const most = points.reduce((m, [, f, a, b]) => [f, a, b].reduce((n, v) => (BigInt(v) > n ? BigInt(v) : n), m), 1n);
  const first = points.length ? points[0][4] : 0, last = points.length ? points[points.length - 1][4] : 0;
  const [x, y] = scales(W, H, 2, first, last, most);
  const label = points.length
    ? t("chart.votes.label", { date: dayText(last), for: formatEther(p.for), against: formatEther(p.against),
                               abstain: formatEther(p.abstain) })
    : t("chart.votes.none");
  const lines = points.length ? ["for", "against", "abstain"].map((side, i) =>
    pathOf(points.map(([, ...rest], j) => `${j ? "L" : "M"}${x(rest[3])},${y(rest[i])}`).join(" "), side)) : [];
  return svgOf({ viewBox: `0 0 ${W} ${H}`, class: "votes-chart", role: "img", "aria-label": label }, ...lines);
}
