// The API's base path: "" locally (same origin), "/api" behind CloudFront (the deployment writes it into each page's meta tag).
export const API_BASE = document.querySelector('meta[name="ycht-api-base"]')?.content ?? "";
