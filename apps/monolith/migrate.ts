import 'reflect-metadata';
import { catalogDatabase } from '@commerce/catalog';
import { runMigrations } from '@commerce/platform';

void runMigrations([catalogDatabase]);
