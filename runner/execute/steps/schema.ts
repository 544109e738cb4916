/** placeholder */
import type { SchemaStep } from '../../spec/types.ts';
import type { StepContext, StepOutcome } from '../context.ts';
export const runSchemaStep = async (_step: SchemaStep, _context: StepContext): Promise<StepOutcome> => ({ status: 'errored' });
