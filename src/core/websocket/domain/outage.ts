/**
 * One dependency's outage, so that it is reported once when it starts and
 * once when it ends, however many calls fail in between.
 *
 * @example
 * catch (error) { if (outage.failed()) logger.warn(`Redis unreachable: ${error.message}`); }
 * // on the next success:
 * if (outage.recovered()) logger.log('Redis is reachable again');
 */
export class Outage {
  private down = false;

  /** True from a failure that started an outage until the success that ended it. */
  get ongoing(): boolean {
    return this.down;
  }

  /** Records a failure; true when it starts an outage (the one to report). */
  failed(): boolean {
    if (this.down) return false;
    this.down = true;
    return true;
  }

  /** Records a success; true when it ends an outage (the one to report). */
  recovered(): boolean {
    if (!this.down) return false;
    this.down = false;
    return true;
  }
}
