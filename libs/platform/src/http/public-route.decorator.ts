import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

/** Metadata key marking a route (or controller) that needs no authentication. */
export const PUBLIC_ROUTE = 'commerce:public';

/** OpenAPI extension on public operations; the document's finisher turns it into `security: []`. */
export const PUBLIC_EXTENSION = 'x-public';

/** The route needs no token: health probes, login, public catalog reads. */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_ROUTE, true), ApiExtension(PUBLIC_EXTENSION, true));
