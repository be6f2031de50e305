// Yuan as typed by people, integer fen as the API takes them: parsed as text, never through a float.
const YUAN = /^(\d{1,9})(?:\.(\d{1,2}))?$/;

/** "12.5" -> 1250; null when it is not an amount of yuan with at most two decimals, or not positive. */
export function fenOf(text) {
  const found = YUAN.exec(String(text).trim().replace(/[,，]/g, ""));
  if (!found) return null;
  const fen = Number(found[1]) * 100 + Number((found[2] || "").padEnd(2, "0"));
  return fen > 0 ? fen : null;
}

/** 125050 -> "1,250.50 元" */
export function yuan(fen) {
  const whole = Math.trunc(fen / 100).toLocaleString("zh-CN");
  return `${whole}.${String(Math.abs(fen) % 100).padStart(2, "0")} 元`;
}
