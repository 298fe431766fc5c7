using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace Banyan.Server.Storage;

/// <summary>
/// What start-up will change (decisions 0003 and 0007): tables to create (with their indexes, keys and
/// sequences), columns to add to existing tables, and indexes the model declares on existing tables that
/// the database lacks. Built from the operations EF's migrations differ produces for the whole model, so
/// every column keeps exactly the store type, length, precision, default and annotations that creating
/// the table would have used.
/// </summary>
internal sealed class SchemaPlan
{
    /// <summary>Bounds the refusal message; a model this far from the database is not an upgrade.</summary>
    private const int MaxNamedProblems = 50;

    private SchemaPlan(IReadOnlyList<string> createdTables, IReadOnlyList<MigrationOperation> newTableOperations, IReadOnlyList<AddColumnOperation> addedColumns, IReadOnlyList<CreateIndexOperation> addedIndexes)
    {
        CreatedTables = createdTables;
        NewTableOperations = newTableOperations;
        AddedColumns = addedColumns;
        AddedIndexes = addedIndexes;
    }

    /// <summary>Names of the tables to create, sorted.</summary>
    public IReadOnlyList<string> CreatedTables { get; }

    /// <summary>Create-table, index, foreign-key and (for a brand-new schema) sequence operations of the missing tables, in the differ's order.</summary>
    public IReadOnlyList<MigrationOperation> NewTableOperations { get; }

    /// <summary>Nullable or defaulted columns the existing tables lack.</summary>
    public IReadOnlyList<AddColumnOperation> AddedColumns { get; }

    /// <summary>Indexes the model declares on existing tables that the database lacks.</summary>
    public IReadOnlyList<CreateIndexOperation> AddedIndexes { get; }

    public bool IsEmpty => CreatedTables.Count == 0 && AddedColumns.Count == 0 && AddedIndexes.Count == 0;

    /// <summary>"table.column" of every added column, sorted (for the history row and the log).</summary>
    public IReadOnlyList<string> AddedColumnNames => AddedColumns.Select(c => c.Table + "." + c.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Names of the indexes added to existing tables, sorted.</summary>
    public IReadOnlyList<string> AddedIndexNames => AddedIndexes.Select(i => i.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Compares the model's full create-operations with the catalog. Throws (changing nothing, since
    /// nothing has run yet) when an existing table lacks a column that cannot be added safely.
    /// </summary>
    /// <param name="operations">The differ's operations for the full model (<c>GetDifferences(null, model)</c>).</param>
    /// <param name="existingColumns">Columns per existing table, from the catalog.</param>
    /// <param name="existingIndexes">Names of the existing indexes, from the catalog.</param>
    public static SchemaPlan For(IReadOnlyList<MigrationOperation> operations, IReadOnlyDictionary<string, HashSet<string>> existingColumns, IReadOnlySet<string> existingIndexes)
    {
        var tables = operations.OfType<CreateTableOperation>().ToArray();
        var missing = tables.Where(t => !existingColumns.ContainsKey(t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var added = tables.Where(t => existingColumns.ContainsKey(t.Name))
            .SelectMany(t => t.Columns.Where(c => !existingColumns[t.Name].Contains(c.Name)))
            .ToArray();
        RefuseUnsafeColumns(added, operations.OfType<AddForeignKeyOperation>());

        var newTableOperations = operations.Where(op => op switch
        {
            CreateTableOperation t => missing.Contains(t.Name),
            CreateIndexOperation i => missing.Contains(i.Table),
            AddForeignKeyOperation f => missing.Contains(f.Table),
            // Sequences are only created with a brand-new schema; a module adding one later needs an explicit step (decision 0007).
            CreateSequenceOperation => missing.Count == tables.Length,
            _ => false,
        }).ToArray();
        var addedIndexes = operations.OfType<CreateIndexOperation>()
            .Where(i => existingColumns.ContainsKey(i.Table) && !existingIndexes.Contains(i.Name))
            .ToArray();
        return new SchemaPlan(missing.Order(StringComparer.Ordinal).ToArray(), newTableOperations, added, addedIndexes);
    }

    /// <summary>
    /// A NOT NULL column without a declared default would need a value for every existing row that nobody
    /// chose; a computed column or one in a foreign key cannot be added by ALTER TABLE on every provider
    /// (SQLite rebuilds the table). All of them stop start-up, named, before anything runs.
    /// </summary>
    private static void RefuseUnsafeColumns(IReadOnlyList<AddColumnOperation> added, IEnumerable<AddForeignKeyOperation> foreignKeys)
    {
        var keyed = foreignKeys.SelectMany(f => f.Columns.Select(c => (f.Table, Column: c))).ToHashSet();
        var problems = new List<string>();
        foreach (var group in added.GroupBy(c => c.Table, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var notNull = group.Where(c => !c.IsNullable && c.DefaultValue is null && c.DefaultValueSql is null && c.ComputedColumnSql is null).Select(c => c.Name).ToArray();
            if (notNull.Length > 0)
            {
                problems.Add($"Table '{group.Key}' lacks NOT NULL column(s) {string.Join(", ", notNull)} without a default that this version needs; declare a default or make it nullable.");
            }

            var other = group.Where(c => c.ComputedColumnSql is not null || keyed.Contains((c.Table, c.Name))).Select(c => c.Name).ToArray();
            if (other.Length > 0)
            {
                problems.Add($"Table '{group.Key}' lacks computed or foreign-key column(s) {string.Join(", ", other)} that this version needs; adding those needs an explicit migration step.");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                string.Join(' ', problems.Take(MaxNamedProblems)) +
                " Nothing was changed. See docs/decisions/0007-additive-schema-evolution.md.");
        }
    }
}
