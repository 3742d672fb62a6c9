using System.Text.Json;
using Npgsql;

namespace DataMeesh.DataProducts.Catalog;

/// <summary>A published column: its declaration merged with what the live schema says about it.</summary>
public sealed record Column(ColumnDefinition Definition, ColumnType Type, bool Nullable, bool PrimaryKey, bool Unique)
{
    public string Name => Definition.Name;

    /// <summary>The name as a JSON property, encoded once: a page writes it once per row.</summary>
    internal JsonEncodedText JsonName { get; } = JsonEncodedText.Encode(Definition.Name);

    public bool Pii => Definition.Pii;
    public string Classification => Pii ? "pii" : "internal";
}

/// <summary>A published table or view: declaration plus live schema. Identifiers used in SQL come only from here.</summary>
public sealed class Dataset
{
    internal Dataset(DatasetDefinition definition, string kind, IReadOnlyList<Column> columns, IReadOnlyList<Column> key)
    {
        Definition = definition;
        Kind = kind;
        Columns = columns;
        Key = key;
        columnsByName = columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, Column> columnsByName;

    public DatasetDefinition Definition { get; }
    public string Name => Definition.Name;

    /// <summary><c>table</c> or <c>view</c>.</summary>
    public string Kind { get; }

    /// <summary>Every column, in the order of the live schema.</summary>
    public IReadOnlyList<Column> Columns { get; }

    /// <summary>The columns that identify a row (the tie-breaker of every sort).</summary>
    public IReadOnlyList<Column> Key { get; }

    public Column? Find(string name) => columnsByName.GetValueOrDefault(name);
}

/// <summary>
/// The data product as published: the team's declarations checked against, and completed by, the live schema of the
/// <c>public</c> schema. Loaded once the schema is migrated; a declaration that does not match the database stops the
/// service at start-up rather than publishing a wrong contract.
/// </summary>
public sealed class ProductCatalog(DataProductDefinition definition)
{
    private volatile IReadOnlyDictionary<string, Dataset>? datasets;

    public DataProductDefinition Definition { get; } = definition;

    public bool IsLoaded => datasets is not null;

    /// <summary>Every dataset in declaration order.</summary>
    public IReadOnlyList<Dataset> Datasets => Definition.Datasets.Select(d => Loaded[d.Name]).ToList();

    public Dataset? Find(string name) => Loaded.GetValueOrDefault(name);

    /// <summary>Throws <see cref="DatabaseNotReadyException"/> (answered as 503 with Retry-After) until the catalog is loaded.</summary>
    public void EnsureLoaded() => _ = Loaded;

    private IReadOnlyDictionary<string, Dataset> Loaded =>
        datasets ?? throw new DatabaseNotReadyException("The data product's catalog is not loaded yet: the database schema is still being prepared.");

    public async Task LoadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var live = await ReadLiveSchemaAsync(dataSource, cancellationToken);
        var errors = new List<string>();
        var loaded = new Dictionary<string, Dataset>(StringComparer.Ordinal);

        foreach (var undeclared in live.Keys.Except(Definition.Datasets.Select(d => d.Name)))
        {
            errors.Add($"{undeclared}: the table or view exists but is not declared; every published object needs a description.");
        }

        foreach (var declared in Definition.Datasets)
        {
            if (!live.TryGetValue(declared.Name, out var table))
            {
                errors.Add($"{declared.Name}: declared but not in the database.");
                continue;
            }

            var dataset = Merge(declared, table, errors);
            if (dataset is not null)
            {
                loaded[dataset.Name] = dataset;
            }
        }

        foreach (var dataset in loaded.Values)
        {
            ValidateRules(dataset, loaded, errors);
        }

        if (errors.Count > 0)
        {
            throw new CatalogException($"The {Definition.Domain} data product does not match its database:{Environment.NewLine}  " +
                string.Join(Environment.NewLine + "  ", errors));
        }

        datasets = loaded;
    }

    private static Dataset? Merge(DatasetDefinition declared, LiveTable table, List<string> errors)
    {
        var declaredColumns = declared.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var missing in table.Columns.Select(c => c.Name).Except(declaredColumns.Keys))
        {
            errors.Add($"{declared.Name}.{missing}: the column exists but is not declared.");
        }

        foreach (var extra in declaredColumns.Keys.Except(table.Columns.Select(c => c.Name)))
        {
            errors.Add($"{declared.Name}.{extra}: declared but not in the database.");
        }

        var columns = table.Columns.Where(c => declaredColumns.ContainsKey(c.Name)).Select(c =>
            new Column(declaredColumns[c.Name], ColumnType.FromPostgres(c.DataType, c.Precision, c.Scale), c.Nullable,
                table.PrimaryKey.Contains(c.Name), table.UniqueColumns.Contains(c.Name))).ToList();

        foreach (var column in columns.Where(c => (c.Definition.Filter || c.Definition.Sort) && !c.Type.IsComparable))
        {
            errors.Add($"{declared.Name}.{column.Name}: type {column.Type.PostgresType} cannot be filtered or sorted.");
        }

        var keyNames = declared.Key ?? table.PrimaryKey;
        if (keyNames.Count == 0)
        {
            errors.Add($"{declared.Name}: has no primary key; declare the columns that identify a row (Key).");
            return null;
        }

        var key = keyNames.Select(name => columns.FirstOrDefault(c => c.Name == name)).ToList();
        if (key.Any(c => c is null || !c.Type.IsComparable))
        {
            errors.Add($"{declared.Name}: key ({string.Join(", ", keyNames)}) must name comparable columns of the dataset.");
            return null;
        }

        return new Dataset(declared, table.Kind, columns, key!);
    }

    private static void ValidateRules(Dataset dataset, Dictionary<string, Dataset> all, List<string> errors)
    {
        if (dataset.Definition.Freshness is { } freshness &&
            dataset.Find(freshness.Column)?.Type.Kind is not (ValueKind.Date or ValueKind.Timestamp))
        {
            errors.Add($"{dataset.Name}: freshness column {freshness.Column} must be a date or timestamp column.");
        }

        foreach (var rule in dataset.Definition.Quality)
        {
            var column = rule switch
            {
                NotNullRule r => r.Column,
                UniqueRule r => r.Column,
                ForeignKeyRule r => r.Column,
                AcceptedValuesRule r => r.Column,
                _ => throw new NotSupportedException(rule.GetType().Name),
            };
            if (dataset.Find(column) is null)
            {
                errors.Add($"{dataset.Name}: quality rule {rule.GetType().Name} names unknown column {column}.");
            }

            if (rule is ForeignKeyRule foreignKey && all.GetValueOrDefault(foreignKey.Dataset)?.Find(foreignKey.ReferencedColumn) is null)
            {
                errors.Add($"{dataset.Name}: quality rule references unknown {foreignKey.Dataset}.{foreignKey.ReferencedColumn}.");
            }
        }
    }

    private sealed record LiveColumn(string Name, string DataType, bool Nullable, int? Precision, int? Scale);

    private sealed record LiveTable(string Kind, List<LiveColumn> Columns, List<string> PrimaryKey, HashSet<string> UniqueColumns);

    private static async Task<Dictionary<string, LiveTable>> ReadLiveSchemaAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var tables = new Dictionary<string, LiveTable>(StringComparer.Ordinal);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("""
            SELECT c.table_name, t.table_type, c.column_name, c.data_type, c.is_nullable = 'YES', c.numeric_precision, c.numeric_scale
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'public'
            ORDER BY c.table_name, c.ordinal_position
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(0);
                if (!tables.TryGetValue(name, out var table))
                {
                    table = new LiveTable(reader.GetString(1) == "VIEW" ? "view" : "table", [], [], []);
                    tables[name] = table;
                }

                table.Columns.Add(new LiveColumn(reader.GetString(2), reader.GetString(3), reader.GetBoolean(4),
                    reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetInt32(6)));
            }
        }

        // Primary keys in key order; single-column unique constraints (a multi-column one does not make a column unique).
        await using (var command = new NpgsqlCommand("""
            SELECT rel.relname, con.contype, att.attname, array_length(con.conkey, 1)
            FROM pg_constraint con
            JOIN pg_class rel ON rel.oid = con.conrelid
            JOIN pg_namespace ns ON ns.oid = rel.relnamespace
            CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
            JOIN pg_attribute att ON att.attrelid = rel.oid AND att.attnum = k.attnum
            WHERE ns.nspname = 'public' AND con.contype IN ('p', 'u')
            ORDER BY rel.relname, con.conname, k.position
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (!tables.TryGetValue(reader.GetString(0), out var table))
                {
                    continue;
                }

                var column = reader.GetString(2);
                if (reader.GetChar(1) == 'p')
                {
                    table.PrimaryKey.Add(column);
                    if (reader.GetInt32(3) == 1)
                    {
                        table.UniqueColumns.Add(column);
                    }
                }
                else if (reader.GetInt32(3) == 1)
                {
                    table.UniqueColumns.Add(column);
                }
            }
        }

        return tables;
    }
}

/// <summary>The declarations and the live schema disagree: a deployment error, not something to retry.</summary>
public sealed class CatalogException(string message) : Exception(message);

/// <summary>The database is not reachable or not ready: the caller should retry later (503 with Retry-After).</summary>
public sealed class DatabaseNotReadyException(string message, Exception? innerException = null) : Exception(message, innerException);
