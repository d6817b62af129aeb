// What `tsc` emits for decorators (experimentalDecorators + emitDecoratorMetadata),
// written by hand so the bench servers can stay plain ESM JavaScript.
import 'reflect-metadata';

export function decorateClass(target, ...decorators) {
  const result = Reflect.decorate(decorators, target);
  if (result !== target) throw new Error(`a class decorator replaced ${target.name}`);
  return target;
}

export function decorateMethod(target, key, ...decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, key);
  const result = Reflect.decorate([...decorators, Reflect.metadata('design:type', Function)], target.prototype, key, descriptor);
  if (result) Object.defineProperty(target.prototype, key, result);
}

/** `__param(index, decorator)`: a parameter decorator applied as a method decorator. */
export function param(index, decorator) {
  return (target, key) => decorator(target, key, index);
}

export function paramTypes(...types) {
  return Reflect.metadata('design:paramtypes', types);
}
