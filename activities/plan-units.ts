/**
 * Activity: check where the run will publish (table locations, Gold targets), then pin the Silver snapshot of
 * the score date, cut it into scoring units and record them, with how to score them and which top-buyer
 * candidates each hands on, in the run's manifest next to Gold (pipeline/run-manifest.ts). Everything refused here is refused before any unit is scored. It returns a
 * summary: the units stay in the manifest, however many there are.
 */
import { candidatePlan } from '../pipeline/candidate-plan';
import { checkGoldTargets } from '../pipeline/gold-targets';
import { writeRunManifest } from '../pipeline/run-manifest';
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
      await writeRunManifest(goldTable, input.runId, {
        scoreDate: input.scoreDate, silverTable, silverVersion: plan.silverVersion, silverSchema: plan.silverSchema,
        totalRows: plan.totalRows, units: plan.units, duplicateCheck: plan.duplicateCheck, ...input.scoring,
        topBuyersTable, candidates: candidatePlan(input.topBuyersRule, plan.totalRows, plan.units.length),
      });
      return {
        silverTable,
        goldTable,
        topBuyersTable,
        silverVersion: plan.silverVersion,
        totalRows: plan.totalRows,
        unitCount: plan.units.length,
        duplicateCheck: plan.duplicateCheck,
      };
    });
  };
}
