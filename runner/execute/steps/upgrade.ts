/** placeholder */
import type { UpgradeStep } from '../../spec/types.ts';
import type { StepContext, StepOutcome } from '../context.ts';
export const runUpgradeStep = async (_step: UpgradeStep, _context: StepContext): Promise<StepOutcome> => ({ status: 'errored' });
