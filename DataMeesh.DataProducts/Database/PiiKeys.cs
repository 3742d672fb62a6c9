using System.Text;
using Npgsql;

namespace DataMeesh.DataProducts.Database;

/// <summary>
/// Stores the mesh's pseudonym key (<c>DataProducts:PiiKey</c>) in <c>datameesh.pii_key</c> (migration 0006) and brings
/// every <c>email_hash</c> up to date with it. The triggers hash every row written after this; rows written before (a load
/// that ran before the API first started with the key) are hashed here once, and a changed key re-hashes every row.
/// </summary>
public static class PiiKeys
{
    /// <returns>How many rows were (re-)hashed.</returns>
    public static async Task<long> ApplyAsync(NpgsqlConnection connection, string key, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        bool changed;
        await using (var store = new NpgsqlCommand("""
            INSERT INTO datameesh.pii_key (key) VALUES (@key)
            ON CONFLICT (only_row) DO UPDATE SET key = EXCLUDED.key, set_at = now() WHERE pii_key.key IS DISTINCT FROM EXCLUDED.key
            """, connection, transaction))
        {
            store.Parameters.AddWithValue("key", Encoding.UTF8.GetBytes(key));
            changed = await store.ExecuteNonQueryAsync(cancellationToken) > 0;
        }

        // Every table whose trigger keeps an email_hash (customers, leads); the names come from the catalog, not from input.
        var tables = new List<string>();
        await using (var find = new NpgsqlCommand("""
            SELECT format('%I.%I', n.nspname, c.relname)
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE t.tgfoid = 'datameesh.set_email_hash()'::regprocedure
            ORDER BY 1
            """, connection, transaction))
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                tables.Add(reader.GetString(0));
            }
        }

        long rows = 0;
        foreach (var table in tables)
        {
            // SET email = email fires the trigger (UPDATE OF email), the one place the hash is computed.
            var outdated = changed ? "email_hash IS DISTINCT FROM datameesh.email_hash(email)" : "email_hash IS NULL";
            await using var rehash = new NpgsqlCommand($"UPDATE {table} SET email = email WHERE {outdated}", connection, transaction);
            rows += await rehash.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return rows;
    }
}
