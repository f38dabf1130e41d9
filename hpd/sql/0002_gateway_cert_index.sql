-- The portal finds the facility of a calling gateway by its certificate fingerprint on every
-- ITI-44 feed: an index probe, not a scan of the directory.
CREATE INDEX facilities_gateway_cert ON facilities (gateway_cert_sha256)
  WHERE gateway_cert_sha256 <> '';
