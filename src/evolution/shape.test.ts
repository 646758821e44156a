import { describe, expect, it } from 'vitest';
import { lenetSpecs } from './genome';
import { inputShapeProblem, lenetSpecsFor, pooledSide } from './shape';

describe('the network for images of any size it can take', () => {
  it('halves the image three times for fc1, as MNIST’s 28 and CIFAR-10’s 32 both give 4', () => {
    expect([8, 9, 16, 17, 20, 28, 32, 33, 64, 128].map(pooledSide)).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 8, 16]);
    expect(lenetSpecsFor({ height: 28, width: 28, channels: 1 })).toEqual(lenetSpecs(1));
    expect(lenetSpecsFor({ height: 32, width: 32, channels: 3 })).toEqual(lenetSpecs(3));
    const odd = lenetSpecsFor({ height: 20, width: 45, channels: 3 });
    expect(odd[0]).toMatchObject({ name: 'conv1', inChannels: 3, kernelH: 5, kernelW: 5 });
    expect(odd[3]).toMatchObject({ name: 'fc1', kernelH: 3, kernelW: 6, inChannels: 64, filters: 64 });
  });

  it('refuses clearly what it cannot take', () => {
    expect(inputShapeProblem({ height: 28, width: 28, channels: 1 })).toBeNull();
    expect(inputShapeProblem({ height: 7, width: 28, channels: 1 })).toMatch(
      /images are 7×28 pixels; the network halves them three times, so each side must be at least 8/,
    );
    expect(inputShapeProblem({ height: 200, width: 100, channels: 3 })).toMatch(/at most 128×128 .* resize them/);
    expect(inputShapeProblem({ height: 28, width: 28, channels: 4 })).toMatch(
      /4 channels; the network takes 1 \(grey\) or 3 \(RGB\)/,
    );
    expect(() => lenetSpecsFor({ height: 4, width: 4, channels: 1 })).toThrow(/cannot take these images/);
  });
});
