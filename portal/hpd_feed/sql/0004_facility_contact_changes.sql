-- A change of a facility's postal code, address or telephone number is a directory change
-- (hpd/sql/0007 added them).
CREATE OR REPLACE FUNCTION hy_facility_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM hy_directory_change('facility', NEW.oid, 'add');
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM hy_directory_change('facility', OLD.oid, 'delete');
  ELSIF (OLD.name_kanji, OLD.name_kana, OLD.name_en, OLD.kind, OLD.municipality_code,
         OLD.discloses, OLD.views, OLD.gateway_url, OLD.status, OLD.postal_code, OLD.address,
         OLD.phone)
        IS DISTINCT FROM
        (NEW.name_kanji, NEW.name_kana, NEW.name_en, NEW.kind, NEW.municipality_code,
         NEW.discloses, NEW.views, NEW.gateway_url, NEW.status, NEW.postal_code, NEW.address,
         NEW.phone) THEN
    PERFORM hy_directory_change('facility', NEW.oid, 'modify');
  END IF;
  RETURN NULL;
END $$;
