/** The paper's maths on plain typed arrays; imports nothing else of the project. */
export * from './genome';
export * from './rng';
export * from './settings';
export * from './mating-weights';
export * from './shape';
export * from './probabilities';
export * from './environment';
export * from './sampling';
export * from './inheritance';
export * from './offspring';
export * from './init';
export * from './metrics';
export * from './rho-schedule';
export * from './selection';
export * from './removal';
export * from './floors';
export * from './pruning';
