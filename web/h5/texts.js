// Every word the party page shows that the API does not already give in words.

export const STATUS = {
  EVIDENCE_PENDING: "待拍照取证",
  AWAITING_DETERMINATION: "等待民警远程认定",
  AGREEMENT_PROPOSED: "自行协商中",
  DETERMINED: "民警已认定，待签字",
  CONFIRMED: "各方已签字确认",
  DISPUTED: "有当事人提出异议",
  SETTLED: "已自行协商解决",
  REFERRED_ON_SCENE: "已转民警现场处理",
};

export const NEXT_STEP = {
  EVIDENCE_PENDING: "请在确保安全的前提下，按下方清单逐项拍照上传。全部上传后即可撤离现场。",
  AWAITING_DETERMINATION: "证据已齐全。请将车辆撤离现场，民警将远程认定责任，结果会在本页面显示并短信通知您。",
  AGREEMENT_PROPOSED: "已有当事人提出自行协商，请查看协议内容，同意请签字，不同意可请民警认定。",
  DETERMINED: "请查看认定书，确认无误后签字；如有异议，可拒绝签字并说明理由。",
  CONFIRMED: "认定书已生效，可凭认定书向保险公司理赔。",
  DISPUTED: "可在认定书载明的期限内申请复核，或共同申请调解。",
  SETTLED: "可凭协议书向保险公司理赔。",
  REFERRED_ON_SCENE: "本起事故不适用远程处理，请在安全处等候民警到场。",
};

export const SIGNED_WAITING = "您已签字确认，正在等待其他当事人签字。";

export const LIABILITY = {
  FULL: "全部责任",
  PRIMARY: "主要责任",
  EQUAL: "同等责任",
  SECONDARY: "次要责任",
  NONE: "无责任",
};

export const RESCUE_STATUS = {
  REQUESTED: "已发起，正在查找附近救援车辆",
  SEARCHING: "正在查找附近救援车辆",
  OFFERED: "正在联系救援车辆",
  ASSIGNED: "救援车辆已接单，正在赶来",
  ARRIVED: "救援车辆已到达现场",
  COMPLETED: "车辆已拖至维修厂",
  ESCALATED: "附近暂无车辆接单，调度员正在人工调派",
  CANCELLED: "已取消",
  FAILED: "调度异常，调度员将与您联系",
};

export const LINK_EXPIRED = {
  title: "链接已过期",
  body: "为保护您的信息，短信中的事故处理链接有效期有限，这个链接已经过期。",
};

export const LINK_INVALID = {
  title: "链接已失效",
  body: "这个链接已失效：可能已发送了新的链接（旧链接随之作废），或链接不完整。",
};

export const LINK_HELP =
  "请使用最近收到的短信中的链接重新打开；如找不到，请联系处理您事故的交警或拨打 110，说明案件号，我们会重新发送链接。";

export const SHOT = {
  idle: "未拍摄",
  hashing: "正在处理…",
  waiting: "网络中断，照片已保存在手机上，恢复网络后自动上传",
  uploading: "正在上传…",
  verifying: "正在核验…",
  done: "已完成",
  failed: "上传失败，请重拍",
};

export const MOVE_VEHICLES = "现场证据已采集完成，请立即将车辆撤离现场，注意安全！民警将远程认定责任。";
