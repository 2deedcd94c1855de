/**
 * Activity: check where the run will publish (table locations, Gold targets), then pin the Silver snapshot of
 * the score date and cut it into scoring units. Everything refused here is refused before any unit is scored.
 */
import { checkGoldTargets } from '../pipeline/gold-targets';
import { planUnits } from '../pipeline/silver-plan';
import { ActivityDeps } from './deps';
import { classified } from './failures';
import { PlanInput, PlanResult } from './types';

export function makePlanUnits(deps: ActivityDeps) {
  return function planUnitsActivity(input: PlanInput): Promise<PlanResult> {
    return classified(async () => {
      const silverTable = deps.tables.silver(input.silverTable);
      const goldTable = deps.tables.gold(input.goldTable);
      const topBuyersTable = deps.tables.topBuyers(input.topBuyersTable);
      await checkGoldTargets({ goldTable, topBuyersTable, scoreDate: input.scoreDate });
      const plan = await planUnits({
        silverTable, scoreDate: input.scoreDate, unitRows: input.unitRows, silverVersion: input.silverVersion,
        allowEmptySnapshot: input.allowEmptySnapshot,
      });
      return {
        silverTable,
        goldTable,
        topBuyersTable,
        silverVersion: plan.silverVersion,
        silverSchema: plan.silverSchema,
        totalRows: plan.totalRows,
        units: plan.units,
      };
    });
  };
}
