// The API's base: empty locally (same origin), "/api" behind CloudFront (the deployment rewrites the meta tag).
export const API_BASE = document.querySelector('meta[name="ycht-api-base"]')?.content ?? "";
