/** The paper's maths on plain typed arrays; imports nothing else of the project. */
export * from './genome';
export * from './rng';
export * from './settings';
export * from './mating-weights';
export * from './shape';
export * from './probabilities';
export * from './cluster-blend';
export * from './environment';
export * from './sampling';
export * from './inheritance';
export * from './offspring';
export * from './init';
export * from './metrics';
