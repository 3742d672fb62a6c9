using Npgsql;

namespace DataMeesh.Seeder.Loading;

/// <summary>
/// What <c>pg_restore</c> does, inside the load's own transaction: the rows go into the empty tables first, and the
/// secondary indexes, unique and primary keys and foreign keys are built once afterwards, which is far cheaper than
/// maintaining them row by row. A rollback (Ctrl-C, a kill, a failure) restores them with everything else. Kept in place:
/// constraints a view depends on (a GROUP BY on a primary key) and CHECK constraints (checked per row either way).
/// </summary>
internal static class DeferredIndexes
{
    /// <summary>Drops them and returns the statements that build them again, in order (indexes and keys, then foreign keys).</summary>
    public static List<string> Drop(DomainLoad load)
    {
        var tables = load.Plan.Tables.Select(t => t.Table).ToArray();
        var recreate = new List<(int Order, string Sql)>();
        var drop = new List<(int Order, string Sql)>();
        using (var command = new NpgsqlCommand("""
            SELECT CASE c.contype WHEN 'f' THEN 1 ELSE 0 END,
                   format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)),
                   format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname)
            FROM pg_constraint c
            WHERE c.contype IN ('p', 'u', 'f')
              AND (c.conrelid = ANY(@tables::regclass[]) OR c.confrelid = ANY(@tables::regclass[]))
              AND NOT EXISTS (SELECT 1 FROM pg_depend d
                              WHERE d.refclassid = 'pg_constraint'::regclass AND d.refobjid = c.oid AND d.classid = 'pg_rewrite'::regclass)
            UNION ALL
            SELECT 0, pg_get_indexdef(i.indexrelid), format('DROP INDEX %s', i.indexrelid::regclass)
            FROM pg_index i
            WHERE i.indrelid = ANY(@tables::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
            """, load.Connection))
        {
            command.Parameters.AddWithValue("tables", tables);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                recreate.Add((reader.GetInt32(0), reader.GetString(1)));
                // Foreign keys go first: a key they reference cannot be dropped under them.
                drop.Add((1 - reader.GetInt32(0), reader.GetString(2)));
            }
        }

        foreach (var (_, sql) in drop.OrderBy(d => d.Order))
        {
            load.Execute(sql);
        }

        return [.. recreate.OrderBy(r => r.Order).Select(r => r.Sql)];
    }
}
