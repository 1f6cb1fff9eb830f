import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { DEPENDENCY_NAMES, type DependencyName } from "../../config/dependencies";
import { breakerClient } from "../../dependencies/breaker-client";
import type { actOnBreaker, listBreakers } from "./admin.routes";

const stubFor = (c: Parameters<RouteHandler<typeof listBreakers, AppEnv>>[0], name: DependencyName) =>
  c.env.CIRCUIT_BREAKERS.get(c.env.CIRCUIT_BREAKERS.idFromName(name));

export const list: RouteHandler<typeof listBreakers, AppEnv> = async (c) => {
  const breakers = await Promise.all(
    DEPENDENCY_NAMES.map(async (name) => {
      const status = await stubFor(c, name).status(name);
      return { name, ...status, isolateView: breakerClient.cachedView(name) ?? null };
    }),
  );
  return c.json({ breakers }, 200);
};

export const act: RouteHandler<typeof actOnBreaker, AppEnv> = async (c) => {
  const { name, action } = c.req.valid("param");
  const dependency = name as DependencyName;
  const status = await stubFor(c, dependency).force(dependency, action);
  // This isolate knows at once; the others within the propagation bound.
  breakerClient.adopt(dependency, status.view);
  return c.json({ name: dependency, ...status, isolateView: breakerClient.cachedView(dependency) ?? null }, 200);
};
