// The fleet on an SVG map drawn from our own data only: the unit's area (its bounding box), a grid
// of tenths of a degree, the trucks' positions and the open orders' pickups. No map tiles.
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 640;
const DOT_RADIUS = 6;
const AXIS_LABEL_WIDTH = 56; // "120.25°E" at 11px
// A truck's label ("TT42" at 9px) beside its dot, as a box relative to the dot's centre, right or left of it.
const TRUCK_LABEL = { width: 26, height: 11, right: 8, left: -8 - 26, top: -5 };

function el(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The smallest box holding the points, padded, kept inside the area (the whole area when empty). */
export function fitBox(points, area, padding = 0.02) {
  if (!points.length) return area;
  const lats = points.map((p) => p.lat);
  const lngs = points.map((p) => p.lng);
  return {
    south: Math.max(area.south, Math.min(...lats) - padding), north: Math.min(area.north, Math.max(...lats) + padding),
    west: Math.max(area.west, Math.min(...lngs) - padding), east: Math.min(area.east, Math.max(...lngs) + padding),
  };
}

/** Equirectangular projection of a box onto a WIDTH-wide drawing (a degree of longitude shrunk by cos(latitude)). */
export function projection(box) {
  const squeeze = Math.cos(((box.south + box.north) / 2) * (Math.PI / 180));
  const scale = WIDTH / ((box.east - box.west) * squeeze);
  const height = (box.north - box.south) * scale;
  return { width: WIDTH, height, at: (p) => ({ x: (p.lng - box.west) * squeeze * scale, y: (box.north - p.lat) * scale }) };
}

function gridLines(box, project, group) {
  const step = box.east - box.west > 0.6 ? 0.2 : 0.05;
  for (let lng = Math.ceil(box.west / step) * step; lng < box.east; lng += step) {
    const top = project.at({ lat: box.north, lng });
    const nearRightEdge = top.x + 2 + AXIS_LABEL_WIDTH > WIDTH; // written leftwards of its line, inside the map
    group.append(el("line", { x1: top.x, y1: 0, x2: top.x, y2: project.height, class: "grid" }),
      el("text", { x: nearRightEdge ? top.x - 2 : top.x + 2, y: project.height - 4, class: "grid-label",
        "text-anchor": nearRightEdge ? "end" : "start" }, `${lng.toFixed(2)}°E`));
  }
  for (let lat = Math.ceil(box.south / step) * step; lat < box.north; lat += step) {
    const left = project.at({ lat, lng: box.west });
    group.append(el("line", { x1: 0, y1: left.y, x2: WIDTH, y2: left.y, class: "grid" }),
      el("text", { x: 4, y: left.y - 3, class: "grid-label" }, `${lat.toFixed(2)}°N`));
  }
}

/** Where each truck's label goes: right of its dot, else left, else none (its tooltip still names it)
 * when it would cover a dot or another label or leave the map. Trucks close together keep the first one's label. */
function truckLabels(points) {
  const placed = points.map((p) => ({ x: p.x - DOT_RADIUS, y: p.y - DOT_RADIUS, width: 2 * DOT_RADIUS, height: 2 * DOT_RADIUS }));
  const free = (box) => box.x >= 0 && box.x + box.width <= WIDTH && box.y >= 0
    && placed.every((o) => box.x >= o.x + o.width || o.x >= box.x + box.width || box.y >= o.y + o.height || o.y >= box.y + box.height);
  return points.map((p) => {
    for (const side of ["right", "left"]) {
      const box = { x: p.x + TRUCK_LABEL[side], y: p.y + TRUCK_LABEL.top, width: TRUCK_LABEL.width, height: TRUCK_LABEL.height };
      if (free(box)) {
        placed.push(box);
        return side;
      }
    }
    return null;
  });
}

/** Draw the map into `container`: `view` is "area" (the unit's whole box) or "fleet" (fitted to the trucks and pickups). */
export function drawMap(container, { area, trucks, orders, view }) {
  const spots = [...trucks, ...orders.map((o) => o.pickup)];
  const box = view === "area" ? area.bbox : fitBox(spots, area.bbox);
  const project = projection(box);
  const svg = el("svg", { viewBox: `0 0 ${WIDTH} ${project.height.toFixed(1)}`, role: "img", "aria-label": `${area.name}车辆分布图`, class: "fleet-map" });
  const grid = el("g");
  gridLines(box, project, grid);
  const frameA = project.at({ lat: area.bbox.north, lng: area.bbox.west });
  const frameB = project.at({ lat: area.bbox.south, lng: area.bbox.east });
  svg.append(el("rect", { x: 0, y: 0, width: WIDTH, height: project.height, class: "sea" }),
    el("rect", { x: frameA.x, y: frameA.y, width: frameB.x - frameA.x, height: frameB.y - frameA.y, class: "area" }), grid);
  for (const order of orders) {
    const truck = order.truckId && trucks.find((t) => t.truckId === order.truckId);
    if (!truck) continue;
    const a = project.at(truck);
    const b = project.at(order.pickup);
    svg.append(el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "route" }));
  }
  for (const order of orders) {
    const p = project.at(order.pickup);
    const pin = el("g", { class: `pickup ${order.status}`, "data-order": order.orderId, transform: `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})` });
    pin.append(el("path", { d: "M0 0 L-7 -14 A8 8 0 1 1 7 -14 Z" }), el("title", {}, `${order.pickup.address}（${order.statusText}）`));
    svg.append(pin);
  }
  const sides = view === "fleet" ? truckLabels(trucks.map((t) => project.at(t))) : [];
  trucks.forEach((truck, index) => {
    const p = project.at(truck);
    const dot = el("g", { class: `truck ${truck.status}`, "data-truck": truck.truckId, transform: `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})` });
    dot.append(el("circle", { r: DOT_RADIUS }), el("title", {}, `${truck.plate} ${truck.company}`));
    const side = sides[index];
    if (side) {
      dot.append(el("text", { x: side === "right" ? TRUCK_LABEL.right : -8, y: 4, class: "truck-label",
        "text-anchor": side === "right" ? "start" : "end" }, truck.truckId));
    }
    svg.append(dot);
  });
  svg.append(el("text", { x: WIDTH - 8, y: 16, class: "map-title" }, view === "area" ? `${area.name} 辖区` : "车辆集中区"));
  container.replaceChildren(svg);
}
