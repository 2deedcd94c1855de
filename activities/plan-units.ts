/**
 * Activity: check where the run will publish (table locations, Gold targets), then pin the Silver snapshot of
 * the score date and cut it into scoring units. Everything refused here is refused before any unit is scored.
 */
import { openTable } from '../delta';
import { checkGoldTargets } from '../pipeline/gold-targets';
import { planUnits } from '../pipeline/silver-plan';
import { ActivityContext } from './context';
import { classified } from './failures';
import { PlanInput, PlanResult } from './types';

export function makePlanUnits(ctx: ActivityContext) {
  return function planUnitsActivity(input: PlanInput): Promise<PlanResult> {
    return classified(async () => {
      const silverTable = ctx.table(input.silverTable, ctx.layout.silverFeatures);
      const goldTable = ctx.table(input.goldTable, ctx.layout.goldPredictions);
      const topBuyersTable = ctx.table(input.topBuyersTable, ctx.layout.goldTopBuyers);
      await checkGoldTargets({ goldTable, topBuyersTable, scoreDate: input.scoreDate });
      const plan = await planUnits({
        silverTable, scoreDate: input.scoreDate, unitRows: input.unitRows, silverVersion: input.silverVersion,
        allowEmptySnapshot: input.allowEmptySnapshot,
      });
      const pinned = await openTable(silverTable, { version: plan.silverVersion });
      return {
        silverTable,
        goldTable,
        topBuyersTable,
        silverVersion: plan.silverVersion,
        silverSchema: pinned.schema,
        totalRows: plan.totalRows,
        units: plan.units,
      };
    });
  };
}
