export { ProblemDto } from '@commerce/platform';
