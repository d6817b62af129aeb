import { Outage } from './outage.js';

describe('Outage', () => {
  it('reports the first failure and the first success after it, nothing in between', () => {
    const outage = new Outage();
    expect(outage.recovered()).toBe(false);
    expect([outage.failed(), outage.failed(), outage.failed()]).toEqual([true, false, false]);
    expect([outage.recovered(), outage.recovered()]).toEqual([true, false]);
    expect(outage.failed()).toBe(true);
  });

  it('is ongoing from the failure that starts it to the success that ends it', () => {
    const outage = new Outage();
    expect(outage.ongoing).toBe(false);
    outage.failed();
    outage.failed();
    expect(outage.ongoing).toBe(true);
    outage.recovered();
    expect(outage.ongoing).toBe(false);
  });
});
