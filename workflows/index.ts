/** Every workflow the worker runs. */
export { incident } from './incident';
