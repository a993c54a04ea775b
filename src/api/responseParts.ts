// The small parts every response schema is made of.
import { z } from 'zod';

export const id = z.string();
export const time = z.string().describe('ISO 8601');
export const optTime = time.nullable();
