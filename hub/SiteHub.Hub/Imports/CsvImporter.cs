using System.Globalization;
using System.Text;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Imports;

/// <summary>
/// Reads the interchange files of the design (<c>projects.csv</c>, <c>roster.csv</c>,
/// <c>punches.csv</c>, <c>payouts.csv</c>) into registry records and events. A bad row is
/// reported (<see cref="ImportError"/>: file, line, column, reason) and skipped; the good rows
/// still import. ID and account numbers are hashed and masked as they are read and never appear
/// in an error.
/// </summary>
/// <param name="hasher">Keys the hashes of ID and account numbers.</param>
/// <param name="options">Encoding and the payout column mapping.</param>
/// <param name="defaultTimeZone">Zone of projects that name none.</param>
/// <param name="today">Birth dates after it are invalid.</param>
public sealed class CsvImporter(KeyedHasher hasher, ImportOptions options, TimeZoneInfo defaultTimeZone, DateOnly today)
{
    /// <summary>Columns of <c>projects.csv</c>; the last two are optional extensions (per-project thresholds).</summary>
    public static readonly string[] ProjectColumns = ["project_id", "name", "site_id", "contractor", "wage_account", "pay_day", "timezone", "tolerance"];

    private static readonly string[] ProjectOptional = ["no_attendance_days", "excessive_pay_cap"];

    /// <summary>Columns of <c>roster.csv</c>.</summary>
    public static readonly string[] RosterColumns = ["worker_id", "name", "id_number", "project_id", "employer", "team", "bank_account", "wage_type", "wage_rate", "start_date", "end_date"];

    /// <summary>Columns of <c>punches.csv</c>.</summary>
    public static readonly string[] PunchColumns = ["event_id", "site_id", "device_sn", "person_id", "direction", "occurred_at"];

    /// <summary>Columns of <c>payouts.csv</c>.</summary>
    public static readonly string[] PayoutColumns = ["txn_id", "payer_account", "payee_name", "payee_id_number", "payee_account", "amount", "wage_month", "paid_at", "status"];

    private Encoding? DeclaredEncoding => CsvEncodings.Declared(options.Encoding);

    /// <summary>Reads <c>projects.csv</c>. Duplicate project ids and wage accounts are errors (the first row stays).</summary>
    public IReadOnlyList<Project> ReadProjects(Stream stream, string file, ICollection<ImportError> errors)
    {
        using var table = CsvTable.Open(stream, file, ProjectColumns, ProjectOptional, null, DeclaredEncoding, errors);
        var projects = new List<Project>();
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        var accounts = new Dictionary<string, string>(StringComparer.Ordinal);
        while (table.Read())
        {
            var ok = true;
            var id = Required(table, 0, ref ok);
            var name = Required(table, 1, ref ok);
            var sites = table[2].Split([';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (sites.Length == 0)
            {
                ok = Fail(table, 2, "is required");
            }
            else if (sites.FirstOrDefault(s => !TopicSafeId.IsValid(s)) is { } badSite)
            {
                // A site id is part of MQTT topics: one with '+', '#' or '/' would break every site's roster publishing.
                ok = Fail(table, 2, $"'{badSite}' is not a site id (1-64 letters, digits, '-', '_' or '.')");
            }

            var contractor = Required(table, 3, ref ok);
            var account = Account(table, 4, ref ok);
            var payDay = 15;
            if (table[5].Length > 0 && (!int.TryParse(table[5], NumberStyles.None, CultureInfo.InvariantCulture, out payDay) || payDay is < 1 or > 28))
            {
                ok = Fail(table, 5, "must be a day of the month 1-28");
            }

            var zone = defaultTimeZone;
            if (table[6].Length > 0 && !TimeZoneInfo.TryFindSystemTimeZoneById(table[6], out zone))
            {
                ok = Fail(table, 6, $"'{table[6]}' is not an IANA time zone");
            }

            var tolerance = 0.01m;
            if (table[7].Length > 0 && (!decimal.TryParse(table[7], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out tolerance) || tolerance >= 1m))
            {
                ok = Fail(table, 7, "must be a fraction from 0 to below 1 (0.01 = 1%)");
            }

            int? silentDays = null;
            if (table.Has(8) && table[8].Length > 0)
            {
                silentDays = int.TryParse(table[8], NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= 366 ? days : null;
                ok = silentDays is not null || Fail(table, 8, "must be a number of days 1-366");
            }

            decimal? cap = null;
            if (table.Has(9) && table[9].Length > 0)
            {
                cap = Money(table, 9, ref ok);
            }

            if (ok && lines.TryGetValue(id, out var first))
            {
                ok = Fail(table, 0, $"duplicate project '{id}' (first on line {first})");
            }

            if (ok && account is not null && accounts.TryGetValue(account.Value.Hash, out var owner))
            {
                ok = Fail(table, 4, $"is already the wage account of project '{owner}'");
            }

            if (ok)
            {
                lines[id] = table.Line;
                accounts[account!.Value.Hash] = id;
                projects.Add(new Project(id, name, sites, contractor, account.Value.Hash, account.Value.Masked, payDay, zone!, tolerance, silentDays, cap));
            }
        }

        return projects;
    }

    /// <summary>Reads <c>roster.csv</c> against the known <paramref name="projects"/>.</summary>
    /// <remarks>
    /// A worker may appear once per project. A worker id keeps one ID number, and an ID number
    /// one worker id: a row that contradicts an earlier one is an error.
    /// </remarks>
    public IReadOnlyList<RosterEntry> ReadRoster(Stream stream, string file, IReadOnlyDictionary<string, Project> projects, ICollection<ImportError> errors)
    {
        using var table = CsvTable.Open(stream, file, RosterColumns, [], null, DeclaredEncoding, errors);
        var roster = new List<RosterEntry>();
        var seen = new HashSet<(string, string)>();
        var idOfWorker = new Dictionary<string, string>(StringComparer.Ordinal);
        var workerOfId = new Dictionary<string, string>(StringComparer.Ordinal);
        while (table.Read())
        {
            var ok = true;
            var workerId = Required(table, 0, ref ok);
            var name = Required(table, 1, ref ok);
            string? idHash = null;
            if (ResidentIdNumber.Validate(table[2], today) is { } reason)
            {
                ok = Fail(table, 2, reason);
            }
            else
            {
                idHash = hasher.IdNumber(table[2]);
            }

            var projectId = Required(table, 3, ref ok);
            if (projectId.Length > 0 && !projects.ContainsKey(projectId))
            {
                ok = Fail(table, 3, $"unknown project '{projectId}'");
            }

            var account = Account(table, 6, ref ok);
            var wageType = table[7].ToUpperInvariant() switch
            {
                "DAY" => WageType.Day,
                "MONTH" => WageType.Month,
                _ => (WageType?)null,
            };
            if (wageType is null)
            {
                ok = Fail(table, 7, "must be 'day' or 'month'");
            }

            var rate = Money(table, 8, ref ok);
            var start = Date(table, 9, required: true, ref ok);
            var end = Date(table, 10, required: false, ref ok);
            if (start is not null && end is not null && end < start)
            {
                ok = Fail(table, 10, "is before start_date");
            }

            if (ok && !seen.Add((workerId, projectId)))
            {
                ok = Fail(table, 0, $"worker '{workerId}' is already on the roster of '{projectId}'");
            }

            if (ok && idOfWorker.TryGetValue(workerId, out var knownId) && knownId != idHash)
            {
                ok = Fail(table, 2, $"differs from the ID number of worker '{workerId}' on an earlier row");
            }

            if (ok && workerOfId.TryGetValue(idHash!, out var knownWorker) && knownWorker != workerId)
            {
                ok = Fail(table, 2, $"is already registered to worker '{knownWorker}'");
            }

            if (ok)
            {
                idOfWorker[workerId] = idHash!;
                workerOfId[idHash!] = workerId;
                roster.Add(new RosterEntry(workerId, name, idHash!, Masking.IdNumber(table[2]), projectId, table[4], table[5],
                    account!.Value.Hash, account.Value.Masked, wageType!.Value, rate!.Value, start!.Value, end));
            }
        }

        return roster;
    }

    /// <summary>Reads <c>punches.csv</c> as it goes (the file may hold tens of millions of rows).</summary>
    /// <remarks>Repeated event ids are not reported: a punch counted twice changes no attendance.</remarks>
    public IEnumerable<GatePunch> ReadPunches(Stream stream, string file, ICollection<ImportError> errors)
    {
        using var table = CsvTable.Open(stream, file, PunchColumns, [], null, DeclaredEncoding, errors);
        while (table.Read())
        {
            var ok = true;
            Required(table, 0, ref ok);
            var site = Required(table, 1, ref ok);
            var person = Required(table, 3, ref ok);
            var direction = table[4].ToUpperInvariant() switch
            {
                "IN" => Direction.In,
                "OUT" => Direction.Out,
                "UNKNOWN" or "" => Direction.Unknown,
                _ => (Direction?)null,
            };
            if (direction is null)
            {
                ok = Fail(table, 4, "must be in, out or unknown");
            }

            DateTimeOffset at = default;
            if (!HasOffset(table[5]) || !DateTimeOffset.TryParse(table[5], CultureInfo.InvariantCulture, DateTimeStyles.None, out at))
            {
                ok = Fail(table, 5, "must be an ISO 8601 date and time with offset (2024-03-01T08:00:00+08:00)");
            }

            if (ok)
            {
                yield return new GatePunch(site, person, direction!.Value, at);
            }
        }
    }

    /// <summary>
    /// Reads a bank's <c>payouts.csv</c> (through <see cref="ImportOptions.Payouts"/> for other
    /// layouts) as it goes. A transaction id already in the file, or for which
    /// <paramref name="alreadyImported"/> says yes, is an error: nothing is imported twice.
    /// </summary>
    /// <remarks>A payee ID number that is not a valid resident ID still imports: it is the bank's record, and it simply matches no worker.</remarks>
    public IEnumerable<Payout> ReadPayouts(Stream stream, string file, ICollection<ImportError> errors, Func<string, bool>? alreadyImported = null)
    {
        var mapping = options.Payouts;
        using var table = CsvTable.Open(stream, file, PayoutColumns, [], mapping, DeclaredEncoding, errors);
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        while (table.Read())
        {
            var ok = true;
            var txn = Required(table, 0, ref ok);
            var payer = Account(table, 1, ref ok);
            var payeeName = Required(table, 2, ref ok);
            var payeeId = table[3].Length == 0 ? null : table[3];
            var payee = Account(table, 4, ref ok);
            var amount = Money(table, 5, ref ok);
            if (!YearMonth.TryParse(table[6], out var month))
            {
                ok = Fail(table, 6, "must be a month YYYY-MM");
            }

            var paidAt = Timestamp(table, 7, ref ok);
            var statusText = mapping.Values.GetValueOrDefault(table[8]) ?? table[8];
            var status = statusText.ToUpperInvariant() switch
            {
                "SUCCESS" => PayoutStatus.Success,
                "FAILED" => PayoutStatus.Failed,
                _ => (PayoutStatus?)null,
            };
            if (status is null)
            {
                ok = Fail(table, 8, "must be SUCCESS or FAILED");
            }

            if (ok && lines.TryGetValue(txn, out var first))
            {
                ok = Fail(table, 0, $"duplicate txn_id '{txn}' (first on line {first})");
            }
            else if (ok && alreadyImported?.Invoke(txn) == true)
            {
                ok = Fail(table, 0, $"txn_id '{txn}' was imported before");
            }

            if (ok)
            {
                lines[txn] = table.Line;
                yield return new Payout(txn, payer!.Value.Hash, payer.Value.Masked, payeeName,
                    payeeId is null ? null : hasher.IdNumber(payeeId), payeeId is null ? null : Masking.IdNumber(payeeId),
                    payee!.Value.Hash, payee.Value.Masked, amount!.Value, month, paidAt!.Value, status!.Value);
            }
        }
    }

    private static bool Fail(CsvTable table, int column, string reason)
    {
        table.Error(column, reason);
        return false;
    }

    private static string Required(CsvTable table, int column, ref bool ok)
    {
        var value = table[column];
        if (value.Length == 0)
        {
            ok = Fail(table, column, "is required");
        }

        return value;
    }

    private (string Hash, string Masked)? Account(CsvTable table, int column, ref bool ok)
    {
        var value = KeyedHasher.NormalizeAccount(table[column]);
        if (value.Length is < 8 or > 32 || !value.All(char.IsAsciiDigit))
        {
            ok = Fail(table, column, "must be a bank account number of 8-32 digits");
            return null;
        }

        return (hasher.BankAccount(value), Masking.BankAccount(value));
    }

    // Money is yuan with at most two decimals: no sign, no thousands separators, no exponent.
    private static decimal? Money(CsvTable table, int column, ref bool ok)
    {
        var text = table[column];
        if (text.StartsWith('-'))
        {
            ok = Fail(table, column, "must not be negative");
            return null;
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || (point >= 0 && text.Length - point - 1 is < 1 or > 2))
        {
            ok = Fail(table, column, "must be an amount in yuan with at most two decimals (1234.50)");
            return null;
        }

        return value;
    }

    private static DateOnly? Date(CsvTable table, int column, bool required, ref bool ok)
    {
        var text = table[column];
        if (text.Length == 0 && !required)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        ok = Fail(table, column, "must be a date YYYY-MM-DD");
        return null;
    }

    private static readonly string[] LocalFormats =
        ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"];

    private static BankTimestamp? Timestamp(CsvTable table, int column, ref bool ok)
    {
        var text = table[column];
        if (HasOffset(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            return new BankTimestamp(instant.DateTime, instant.Offset);
        }

        if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return new BankTimestamp(local, null);
        }

        ok = Fail(table, column, "must be an ISO 8601 date, or date and time (with or without offset)");
        return null;
    }

    private static bool HasOffset(string text) =>
        text.Length > 10 && (text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 16 && text[^6] is '+' or '-' && text[^3] == ':'));
}
