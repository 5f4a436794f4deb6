namespace SiteHub.Hub.Reconciliation;

/// <summary>The bulk path (<c>reconcile</c>): every scope of a loaded ledger evaluated once.</summary>
public static class BulkReconciler
{
    /// <summary>The alerts standing at the end of <paramref name="asOf"/>, in <see cref="Order"/>.</summary>
    /// <remarks>Scopes are evaluated in parallel: evaluation only reads the ledger.</remarks>
    public static IReadOnlyList<Alert> Run(ReconciliationLedger ledger, DateOnly asOf) =>
        Order(ledger.AllScopes().AsParallel().SelectMany(scope => ledger.Evaluate(scope, asOf)));

    /// <summary>The order alerts are listed in: project, worker, month, type, subject (nulls first).</summary>
    public static IReadOnlyList<Alert> Order(IEnumerable<Alert> alerts) =>
        alerts.OrderBy(a => a.ProjectId, StringComparer.Ordinal)
            .ThenBy(a => a.WorkerId, StringComparer.Ordinal)
            .ThenBy(a => a.WageMonth)
            .ThenBy(a => a.Type)
            .ThenBy(a => a.Subject, StringComparer.Ordinal)
            .ToList();
}
