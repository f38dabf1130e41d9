-- A facility's postal code, address and telephone number (the directory's contact details,
-- carried in HPD as postalCode, postalAddress and telephoneNumber).
ALTER TABLE facilities ADD COLUMN postal_code text NOT NULL DEFAULT '',
                       ADD COLUMN address text NOT NULL DEFAULT '',
                       ADD COLUMN phone text NOT NULL DEFAULT '';
