import { z } from 'zod';
import { defineCommand, defineEvent } from '../common/contract';
import { addressSchema } from '../ordering/ordering.contracts';

/** Where a shipment for an order stands. */
export const shipmentStatusSchema = z.enum(['CREATED', 'REJECTED', 'CANCELLED']);

const shipmentResult = z.object({ orderId: z.uuid(), status: shipmentStatusSchema, trackingNumber: z.string().optional(), reason: z.string().optional() });

/** Books a shipment for an order; idempotent per order id. */
export const CreateShipment = defineCommand(
  'shipping.create-shipment.v1',
  z.strictObject({ orderId: z.uuid(), address: addressSchema, items: z.number().int().min(1) }),
  shipmentResult,
);

/** Cancels an order's shipment; before creation it blocks a late one. */
export const CancelShipment = defineCommand('shipping.cancel-shipment.v1', z.strictObject({ orderId: z.uuid() }), shipmentResult);

/** A shipment was booked. */
export const ShipmentCreated = defineEvent('shipping.shipment-created.v1', z.object({ orderId: z.uuid(), trackingNumber: z.string() }));
/** The carrier refused the shipment. */
export const ShipmentFailed = defineEvent('shipping.shipment-failed.v1', z.object({ orderId: z.uuid(), reason: z.string() }));
