import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { PendingRequests } from './pending-requests';

describe('PendingRequests', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  function handlers() {
    return {
      onAnswer: jest.fn(),
      onComplete: jest.fn(),
      onTimeout: jest.fn(),
    };
  }

  it('completes when the expected count is known after the answers', () => {
    const requests = new PendingRequests('me');
    const on = handlers();
    const rid = requests.open(1_000, on);
    requests.answer(rid, { op: 'answer', rid, count: 1 });
    requests.answer(rid, undefined);
    expect(on.onComplete).not.toHaveBeenCalled();
    requests.expect(rid, 2);
    expect(on.onComplete).toHaveBeenCalledTimes(1);
    expect(on.onAnswer).toHaveBeenCalledTimes(2);
    requests.finish(rid);
    expect(requests.size).toBe(0);
  });

  it('completes at once with nobody to wait for', () => {
    const requests = new PendingRequests('me');
    const on = handlers();
    requests.expect(requests.open(1_000, on), 0);
    expect(on.onComplete).toHaveBeenCalledTimes(1);
  });

  it('times out with what came, and ignores what comes later', () => {
    jest.useFakeTimers();
    const requests = new PendingRequests('me');
    const on = handlers();
    const rid = requests.open(1_000, on);
    requests.expect(rid, 2);
    requests.answer(rid, undefined);
    jest.advanceTimersByTime(1_000);
    expect(on.onTimeout).toHaveBeenCalledWith(1, 2);
    requests.answer(rid, undefined);
    expect(on.onAnswer).toHaveBeenCalledTimes(1);
    expect(on.onComplete).not.toHaveBeenCalled();
  });

  it('times out every open request when it closes', () => {
    const requests = new PendingRequests('me');
    const on = handlers();
    requests.open(60_000, on);
    requests.close();
    expect(on.onTimeout).toHaveBeenCalledWith(0, undefined);
    expect(requests.size).toBe(0);
  });
});
