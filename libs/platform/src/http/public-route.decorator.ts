import { SetMetadata } from '@nestjs/common';

/** Metadata key marking a route (or controller) that needs no authentication. */
export const PUBLIC_ROUTE = 'commerce:public';

/** The route needs no token: health probes, login, public catalog reads. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
