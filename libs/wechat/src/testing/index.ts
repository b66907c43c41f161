/**
 * Testing kit for host apps: simulate WeChat's pushes against your own callback endpoint.
 * Import from `@app/wechat/testing`; never used by the module at run time.
 */
export * from './wechat-push.simulator';
export * from './wechat-sandbox.server';
export { SANDBOX_OAUTH_USER, type SandboxOAuthUser } from './sandbox-oauth';
