// Words the portal shows that the API gives as codes.
export { STATUS, LIABILITY } from "/h5/texts.js";

export const ROLE = {
  officer: "民警",
  supervisor: "值班领导",
  dispatcher: "调度员",
  fund: "救助基金审核员",
  mediator: "调解员",
  insurer: "保险公司",
  hospital: "医院",
  tow: "清障救援车",
  repairer: "汽修厂",
};

export const CHANNEL = { "110_SMS": "110报警（短信链接）", WECHAT: "微信公众号", VIDEO_PHONE: "视频报警" };

// A scenario's suggestion: who carries what (the API applies the same rule on submit).
export const SUGGESTION = {
  AT_FAULT_FULL: "过错方负全部责任，其他当事人无责任",
  ALL_EQUAL: "各方负同等责任",
};

export const DUTY = {
  LIST_DOCUMENTS: "一次性书面告知理赔所需材料",
  DECIDE: "作出核定",
  PAY: "支付赔款",
};

export const DELIVERY_FAILING = new Set(["RETRY"]);
export const DELIVERY_DEAD = new Set(["DEAD", "REFUSED_URL", "ENDPOINT_GONE", "ENDPOINT_DISABLED"]);

export const CLAIM_STATUS = {
  REPORTED: "已报案",
  ACCEPTED: "已受理",
  DOCUMENTS_REQUESTED: "待补充材料",
  ASSESSED: "已定损",
};

// A shot's kind, for a shot no checklist slot names (the checklist carries the labels of the required ones).
export const EVIDENCE_KIND = {
  FRONT_WITH_PLATE: "车辆前部（含号牌）",
  REAR_WITH_PLATE: "车辆尾部（含号牌）",
  COLLISION_CLOSEUP: "碰撞部位近景",
  SCENE_PANORAMA: "事故现场全景",
  ALL_VEHICLES: "双方车辆同框",
  OTHER: "其他补充照片或视频",
};
