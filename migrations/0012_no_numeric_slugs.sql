-- Slugs are never all digits (Sentry's rule): an all-digit path segment names an id, so a project or
-- organization slugged `4` would be shadowed by the object whose id is 4. The API, the UI and the CLI
-- refuse such slugs; these triggers keep any other writer from storing one. Existing rows are left as
-- they are (nothing stored is rewritten); renaming one to a valid slug is allowed.
CREATE TRIGGER organizations_slug_not_numeric_insert BEFORE INSERT ON organizations
  WHEN NEW.slug <> '' AND NEW.slug NOT GLOB '*[^0-9]*'
  BEGIN SELECT RAISE(ABORT, 'slug cannot be entirely numeric'); END;
CREATE TRIGGER organizations_slug_not_numeric_update BEFORE UPDATE OF slug ON organizations
  WHEN NEW.slug <> OLD.slug AND NEW.slug <> '' AND NEW.slug NOT GLOB '*[^0-9]*'
  BEGIN SELECT RAISE(ABORT, 'slug cannot be entirely numeric'); END;
CREATE TRIGGER teams_slug_not_numeric_insert BEFORE INSERT ON teams
  WHEN NEW.slug <> '' AND NEW.slug NOT GLOB '*[^0-9]*'
  BEGIN SELECT RAISE(ABORT, 'slug cannot be entirely numeric'); END;
CREATE TRIGGER teams_slug_not_numeric_update BEFORE UPDATE OF slug ON teams
  WHEN NEW.slug <> OLD.slug AND NEW.slug <> '' AND NEW.slug NOT GLOB '*[^0-9]*'
  BEGIN SELECT RAISE(ABORT, 'slug cannot be entirely numeric'); END;
CREATE TRIGGER projects_slug_not_numeric_insert BEFORE INSERT ON projects
  WHEN NEW.slug <> '' AND NEW.slug NOT GLOB '*[^0-9]*'
  BEGIN SELECT RAISE(ABORT, 'slug cannot be entirely numeric'); END;
CREATE TRIGGER projects_slug_not_numeric_update BEFORE UPDATE OF slug ON projects
  WHEN NEW.slug <> OLD.slug AND NEW.slug <> '' AND NEW.slug NOT GLOB '*[^0-9]*'
  BEGIN SELECT RAISE(ABORT, 'slug cannot be entirely numeric'); END;
