// The router type every route module registers on: handlers get (request, env, ctx).
import type { IRequest, RouterType } from "itty-router";
import type { Env } from "../env.ts";

export type AppRouter = RouterType<IRequest, [Env, ExecutionContext]>;

export const param = (request: IRequest, name: string): string =>
  decodeURIComponent(request.params[name] ?? "");
