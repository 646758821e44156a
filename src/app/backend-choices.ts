/** "Measure again": forgets the backends `auto` measured on this device, so the next run times them anew. */
import { forgetBackendChoices } from '../storage/backend-choices';
import { idbStorage } from '../storage/idb';

export const measureBackendAgain = (): Promise<void> => forgetBackendChoices(idbStorage);
