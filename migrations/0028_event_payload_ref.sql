-- Event payloads out of D1 rows: the whole normalized payload is compressed into its project's payload
-- segment (the project object's storage while open, one R2 object once sealed) and the row names it
-- with a locator `segment/offset/length`. `payload` then keeps only what queries read with
-- json_extract (src/db/payload-projection.ts). Rows written before keep their whole payload inline or
-- under payload_key and stay readable as they were.
ALTER TABLE events ADD COLUMN payload_ref TEXT;
