import type { AppRoute } from '../../app/route-types.ts';

/** This feature's screens in the console (merged into app/routes.tsx). */
export const routes: AppRoute[] = [];
