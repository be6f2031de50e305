// An example sketch of each shot, drawn here (no downloaded images): what the frame should hold.
const FRAME = '<rect x="2" y="2" width="116" height="76" rx="6" class="sk-frame"/>';

function carFront(x, y, plate = true) {
  return `<g transform="translate(${x} ${y})">
    <path d="M6 28 L12 10 Q14 6 20 6 L52 6 Q58 6 60 10 L66 28 Z" class="sk-body"/>
    <rect x="2" y="26" width="68" height="18" rx="4" class="sk-body"/>
    <path d="M16 12 L56 12 L60 24 L12 24 Z" class="sk-glass"/>
    <circle cx="12" cy="34" r="4" class="sk-light"/><circle cx="60" cy="34" r="4" class="sk-light"/>
    ${plate ? '<rect x="24" y="34" width="24" height="8" rx="1" class="sk-plate"/>' : ""}
    <rect x="6" y="44" width="10" height="6" class="sk-wheel"/><rect x="56" y="44" width="10" height="6" class="sk-wheel"/>
  </g>`;
}

/** Seen from behind: a smaller rear window, red tail lamps wide at the corners, the plate low. */
function carRear(x, y) {
  return `<g transform="translate(${x} ${y})">
    <path d="M8 28 L14 12 Q16 8 22 8 L50 8 Q56 8 58 12 L64 28 Z" class="sk-body"/>
    <rect x="2" y="26" width="68" height="18" rx="4" class="sk-body"/>
    <path d="M19 13 L53 13 L56 23 L16 23 Z" class="sk-glass"/>
    <rect x="4" y="29" width="14" height="6" rx="2" class="sk-tail"/><rect x="54" y="29" width="14" height="6" rx="2" class="sk-tail"/>
    <rect x="24" y="33" width="24" height="8" rx="1" class="sk-plate"/>
    <path d="M6 41 L66 41" class="sk-glass-line"/>
    <rect x="6" y="44" width="10" height="6" class="sk-wheel"/><rect x="56" y="44" width="10" height="6" class="sk-wheel"/>
  </g>`;
}

function carSide(x, y, flip = false) {
  const turn = flip ? ` translate(56 0) scale(-1 1)` : "";
  return `<g transform="translate(${x} ${y})${turn}">
    <path d="M2 22 L2 14 L14 12 L22 4 L40 4 L48 12 L54 14 L54 22 Z" class="sk-body"/>
    <circle cx="14" cy="22" r="5" class="sk-wheel"/><circle cx="44" cy="22" r="5" class="sk-wheel"/>
  </g>`;
}

const ROAD = '<path d="M2 62 L118 62" class="sk-lane"/><path d="M2 46 L118 46" class="sk-dash"/>';

export const SKETCHES = {
  FRONT_WITH_PLATE: `${FRAME}${carFront(24, 14)}<text x="60" y="74" class="sk-note">正前方，号牌清晰</text>`,
  REAR_WITH_PLATE: `${FRAME}${carRear(24, 14)}<text x="60" y="74" class="sk-note">正后方，号牌清晰</text>`,
  COLLISION_CLOSEUP: `${FRAME}${carSide(6, 22)}${carSide(58, 22, true)}
    <circle cx="60" cy="36" r="13" class="sk-focus"/><path d="M55 31 L65 41 M65 31 L55 41" class="sk-impact"/>
    <text x="60" y="74" class="sk-note">靠近拍碰撞部位</text>`,
  SCENE_PANORAMA: `${FRAME}${ROAD}<path d="M10 10 L30 10 L30 40 M90 8 L90 40" class="sk-lane"/>
    ${carSide(20, 22)}${carSide(56, 22, true)}
    <text x="60" y="74" class="sk-note">远处拍，含道路与路口</text>`,
  ALL_VEHICLES: `${FRAME}${ROAD}${carSide(10, 24)}${carSide(54, 24, true)}
    <text x="60" y="74" class="sk-note">所有车辆在同一画面</text>`,
  OTHER: `${FRAME}<rect x="36" y="22" width="48" height="32" rx="5" class="sk-body"/>
    <circle cx="60" cy="38" r="10" class="sk-glass"/><rect x="46" y="16" width="14" height="8" class="sk-body"/>
    <text x="60" y="74" class="sk-note">其他补充</text>`,
};

export function sketch(kind) {
  const art = SKETCHES[kind] || SKETCHES.OTHER;
  return `<svg viewBox="0 0 120 80" class="sketch" role="img" aria-label="示例图">${art}</svg>`;
}
