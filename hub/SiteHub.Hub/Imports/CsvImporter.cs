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

    /// <summary>
    /// Whether a plain punch file is read with <see cref="CsvTable"/>'s block scanner (the default);
    /// tests turn it off to compare it with the general reader.
    /// </summary>
    internal bool PlainReader { get; init; } = true;

    /// <summary>The usual size of a block of a plain punch file read in one pass; tests make it small to have many.</summary>
    internal int PlainBlockSize { get; init; } = 1 << 20;

    /// <summary>Reads <c>projects.csv</c>. Duplicate project ids and wage accounts are errors (the first row stays).</summary>
    public IReadOnlyList<Project> ReadProjects(Stream stream, string file, ICollection<ImportError> errors)
    {
        using var table = CsvTable.Open(stream, file, ProjectColumns, ProjectOptional, null, DeclaredEncoding, errors);
        var projects = new List<Project>();
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        var accounts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (line, project) in table.ReadInParallel((ref CsvTableRow row) => ParseProject(ref row)))
        {
            if (lines.TryGetValue(project.ProjectId, out var first))
            {
                table.Error(line, 0, $"duplicate project '{project.ProjectId}' (first on line {first})");
            }
            else if (accounts.TryGetValue(project.WageAccountHash, out var owner))
            {
                table.Error(line, 4, $"is already the wage account of project '{owner}'");
            }
            else
            {
                lines[project.ProjectId] = line;
                accounts[project.WageAccountHash] = project.ProjectId;
                projects.Add(project);
            }
        }

        return projects;
    }

    private (long Line, Project Project) ParseProject(ref CsvTableRow row)
    {
        var ok = true;
        var id = Required(ref row, 0, ref ok);
        var name = Required(ref row, 1, ref ok);
        var sites = row[2].Split([';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (sites.Length == 0)
        {
            ok = Fail(ref row, 2, "is required");
        }
        else if (sites.FirstOrDefault(s => !TopicSafeId.IsValid(s)) is { } badSite)
        {
            // A site id is part of MQTT topics: one with '+', '#' or '/' would break every site's roster publishing.
            ok = Fail(ref row, 2, $"'{badSite}' is not a site id (1-64 letters, digits, '-', '_' or '.')");
        }

        var contractor = Required(ref row, 3, ref ok);
        var account = Account(ref row, 4, ref ok);
        var payDay = 15;
        if (row[5].Length > 0 && (!int.TryParse(row[5], NumberStyles.None, CultureInfo.InvariantCulture, out payDay) || payDay is < 1 or > 28))
        {
            ok = Fail(ref row, 5, "must be a day of the month 1-28");
        }

        var zone = defaultTimeZone;
        if (row[6].Length > 0 && !TimeZoneInfo.TryFindSystemTimeZoneById(row[6], out zone))
        {
            ok = Fail(ref row, 6, $"'{row[6]}' is not an IANA time zone");
        }

        var tolerance = 0.01m;
        if (row[7].Length > 0 && (!decimal.TryParse(row[7], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out tolerance) || tolerance >= 1m))
        {
            ok = Fail(ref row, 7, "must be a fraction from 0 to below 1 (0.01 = 1%)");
        }

        int? silentDays = null;
        if (row.Has(8) && row[8].Length > 0)
        {
            silentDays = int.TryParse(row[8], NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= 366 ? days : null;
            ok = silentDays is not null || Fail(ref row, 8, "must be a number of days 1-366");
        }

        decimal? cap = null;
        if (row.Has(9) && row[9].Length > 0)
        {
            cap = Money(ref row, 9, ref ok);
        }

        return (row.Line, ok ? new Project(id, name, sites, contractor, account!.Value.Hash, account.Value.Masked, payDay, zone!, tolerance, silentDays, cap) : null!);
    }

    /// <summary>Reads <c>roster.csv</c> against the known <paramref name="projects"/>.</summary>
    /// <remarks>
    /// A worker may appear once per project. A worker id keeps one ID number, and an ID number
    /// one worker id: a row that contradicts an earlier one is an error. Rows are checked and
    /// their numbers hashed on both cores; the checks across rows run in file order.
    /// </remarks>
    public IReadOnlyList<RosterEntry> ReadRoster(Stream stream, string file, IReadOnlyDictionary<string, Project> projects, ICollection<ImportError> errors)
    {
        using var table = CsvTable.Open(stream, file, RosterColumns, [], null, DeclaredEncoding, errors);
        var roster = new List<RosterEntry>();
        var seen = new HashSet<(string, string)>();
        var idOfWorker = new Dictionary<string, string>(StringComparer.Ordinal);
        var workerOfId = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (line, entry) in table.ReadInParallel((ref CsvTableRow row) => ParseRosterEntry(ref row, projects)))
        {
            if (!seen.Add((entry.WorkerId, entry.ProjectId)))
            {
                table.Error(line, 0, $"worker '{entry.WorkerId}' is already on the roster of '{entry.ProjectId}'");
            }
            else if (idOfWorker.TryGetValue(entry.WorkerId, out var knownId) && knownId != entry.IdNumberHash)
            {
                table.Error(line, 2, $"differs from the ID number of worker '{entry.WorkerId}' on an earlier row");
            }
            else if (workerOfId.TryGetValue(entry.IdNumberHash, out var knownWorker) && knownWorker != entry.WorkerId)
            {
                table.Error(line, 2, $"is already registered to worker '{knownWorker}'");
            }
            else
            {
                idOfWorker[entry.WorkerId] = entry.IdNumberHash;
                workerOfId[entry.IdNumberHash] = entry.WorkerId;
                roster.Add(entry);
            }
        }

        return roster;
    }

    private (long Line, RosterEntry Entry) ParseRosterEntry(ref CsvTableRow row, IReadOnlyDictionary<string, Project> projects)
    {
        var ok = true;
        var workerId = Required(ref row, 0, ref ok);
        var name = Required(ref row, 1, ref ok);
        string? idHash = null;
        var idNumber = row[2];
        if (ResidentIdNumber.Validate(idNumber, today) is { } reason)
        {
            ok = Fail(ref row, 2, reason);
        }
        else
        {
            idHash = hasher.IdNumber(idNumber);
        }

        var projectId = Required(ref row, 3, ref ok);
        if (projectId.Length > 0 && !projects.ContainsKey(projectId))
        {
            ok = Fail(ref row, 3, $"unknown project '{projectId}'");
        }

        var account = Account(ref row, 6, ref ok);
        var wageType = row[7].ToUpperInvariant() switch
        {
            "DAY" => WageType.Day,
            "MONTH" => WageType.Month,
            _ => (WageType?)null,
        };
        if (wageType is null)
        {
            ok = Fail(ref row, 7, "must be 'day' or 'month'");
        }

        var rate = Money(ref row, 8, ref ok);
        var start = Date(ref row, 9, required: true, ref ok);
        var end = Date(ref row, 10, required: false, ref ok);
        if (start is not null && end is not null && end < start)
        {
            ok = Fail(ref row, 10, "is before start_date");
        }

        return (row.Line, ok
            ? new RosterEntry(workerId, name, idHash!, Masking.IdNumber(idNumber), projectId, row[4], row[5],
                account!.Value.Hash, account.Value.Masked, wageType!.Value, rate!.Value, start!.Value, end)
            : null!);
    }

    /// <summary>Reads <c>punches.csv</c> as it goes (the file may hold tens of millions of rows).</summary>
    /// <remarks>Repeated event ids are not reported: a punch counted twice changes no attendance.</remarks>
    public IEnumerable<GatePunch> ReadPunches(Stream stream, string file, ICollection<ImportError> errors) =>
        ReadPunches(stream, file, errors, static (in PunchFields punch) => new GatePunch(Encoding.UTF8.GetString(punch.SiteId), Encoding.UTF8.GetString(punch.PersonId), punch.Direction, punch.OccurredAt));

    /// <summary>
    /// Reads <c>punches.csv</c> as it goes, handing each good row to <paramref name="project"/>
    /// on the reading threads (several at once) and returning what it makes, in file order.
    /// </summary>
    public IEnumerable<T> ReadPunches<T>(Stream stream, string file, ICollection<ImportError> errors, PunchProjection<T> project)
    {
        using var table = CsvTable.Open(stream, file, PunchColumns, [], null, DeclaredEncoding, errors);
        foreach (var value in table.ReadInParallel(
            (ref CsvTableRow row) =>
            {
                var days = default(IsoTimestamp.DayCache);
                return ParsePunch(ref row, project, ref days);
            },
            PlainReader))
        {
            yield return value;
        }
    }

    /// <summary>
    /// Reads <c>punches.csv</c> as it goes, in batches: each good row is handed to a projection
    /// made by <paramref name="newProjection"/> on the reading threads, and what it makes comes back
    /// in file order, a batch at a time. A batch is valid until the next one is asked for.
    /// </summary>
    /// <param name="stream">The file (seekable).</param>
    /// <param name="file">Its name, for errors.</param>
    /// <param name="errors">Where the row errors go, in file order (by the end of the read at the latest).</param>
    /// <param name="newProjection">
    /// Makes a projection for one thread's use (it may keep state, such as the last match, and
    /// is never called on two threads at once); called once per block of rows.
    /// </param>
    /// <param name="restart">
    /// Lets the file be read in one pass: without it, the whole file is read once to check its
    /// encoding before the first row. With it, a file in no declared encoding is checked block by
    /// block as it is parsed; should a block turn out not to be plain UTF-8 (a GB18030 file, quotes,
    /// a lone CR: see <see cref="PlainCsv"/>), <paramref name="restart"/> is called, and the batches
    /// start again from the first row, read as without it. The caller then forgets what it made of
    /// the batches before. Its row errors are added at the end of a read that was not restarted.
    /// </param>
    /// <remarks>
    /// The bulk path matches punches to the registry in the projection, straight from the fields,
    /// so that tens of millions of rows cost no string each, use both cores, and reach the thread
    /// that folds them in without an enumerator step per row.
    /// </remarks>
    public IEnumerable<ArraySegment<T>> ReadPunchBatches<T>(Stream stream, string file, ICollection<ImportError> errors, Func<PunchProjection<T>> newProjection, Action? restart = null)
    {
        var start = stream.Position;
        if (restart is not null && PlainReader && DeclaredEncoding is null)
        {
            using var table = CsvTable.TryOpenPlain(stream, file, PunchColumns, errors, PlainBlockSize);
            if (table is not null)
            {
                var handedOver = false;
                foreach (var batch in table.ReadBatchesInParallel<T>(PunchParsers(newProjection), plainPath: true))
                {
                    handedOver = true;
                    yield return batch;
                }

                if (!table.Abandoned)
                {
                    yield break;
                }

                if (handedOver)
                {
                    restart();
                }

                stream.Position = start;
            }
        }

        using var checkedTable = CsvTable.Open(stream, file, PunchColumns, [], null, DeclaredEncoding, errors);
        foreach (var batch in checkedTable.ReadBatchesInParallel<T>(PunchParsers(newProjection), PlainReader))
        {
            yield return batch;
        }
    }

    private static Func<CsvRowParser<T>> PunchParsers<T>(Func<PunchProjection<T>> newProjection) => () =>
    {
        var project = newProjection();
        var days = default(IsoTimestamp.DayCache);
        return (ref CsvTableRow row) => ParsePunch(ref row, project, ref days);
    };

    // A row with an error is never handed on (CsvTable drops it), so its value is left default.
    private static T ParsePunch<T>(ref CsvTableRow row, PunchProjection<T> project, ref IsoTimestamp.DayCache days)
    {
        // Fields are read from their bytes whenever string.Trim() would give the same text: their
        // ends are ASCII (nearly always); other text is decoded and read exactly as before.
        var ok = true;
        if (row.TryGetAsciiTrimmed(0, out var eventId) ? eventId.IsEmpty : row[0].Length == 0)
        {
            ok = Fail(ref row, 0, "is required");
        }

        var site = RequiredUtf8(ref row, 1, ref ok);
        var person = RequiredUtf8(ref row, 3, ref ok);
        var direction = row.TryGetAsciiTrimmed(4, out var directionBytes) && Ascii.IsValid(directionBytes)
            ? ParseDirection(directionBytes)
            : ParseDirection(row[4].AsSpan());
        if (direction is null)
        {
            ok = Fail(ref row, 4, "must be in, out or unknown");
        }

        DateTimeOffset at = default;
        if (!row.TryGetAsciiTrimmed(5, out var timeBytes) || !days.TryParse(timeBytes, out at))
        {
            var time = row[5].AsSpan();
            if (!HasOffset(time) || !(IsoTimestamp.TryParse(time, out at) || DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.None, out at)))
            {
                ok = Fail(ref row, 5, "must be an ISO 8601 date and time with offset (2024-03-01T08:00:00+08:00)");
            }
        }

        return ok ? project(new PunchFields(site, person, direction!.Value, at)) : default!;
    }

    // The field as string.Trim() gives it, in UTF-8: the bytes themselves when their ends are ASCII.
    private static ReadOnlySpan<byte> RequiredUtf8(ref CsvTableRow row, int column, ref bool ok)
    {
        var value = row.TryGetAsciiTrimmed(column, out var bytes) ? bytes : Encoding.UTF8.GetBytes(row[column]);
        if (value.IsEmpty)
        {
            ok = Fail(ref row, column, "is required");
        }

        return value;
    }

    private static Direction? ParseDirection(ReadOnlySpan<byte> ascii) =>
        ascii.IsEmpty || Ascii.EqualsIgnoreCase(ascii, "unknown"u8) ? Direction.Unknown
            : Ascii.EqualsIgnoreCase(ascii, "in"u8) ? Direction.In
            : Ascii.EqualsIgnoreCase(ascii, "out"u8) ? Direction.Out
            : null;

    private static Direction? ParseDirection(ReadOnlySpan<char> text)
    {
        // ToUpperInvariant maps a few letters outside ASCII onto ASCII ones (ı to I): only ASCII
        // text takes the comparison without a string, the rest is read as it always was.
        if (!Ascii.IsValid(text))
        {
            return text.ToString().ToUpperInvariant() switch
            {
                "IN" => Direction.In,
                "OUT" => Direction.Out,
                "UNKNOWN" or "" => Direction.Unknown,
                _ => null,
            };
        }

        return text.IsEmpty || Ascii.EqualsIgnoreCase(text, "unknown") ? Direction.Unknown
            : Ascii.EqualsIgnoreCase(text, "in") ? Direction.In
            : Ascii.EqualsIgnoreCase(text, "out") ? Direction.Out
            : null;
    }

    /// <summary>
    /// Reads a bank's <c>payouts.csv</c> (through <see cref="ImportOptions.Payouts"/> for other
    /// layouts) as it goes. A transaction id already in the file, or for which
    /// <paramref name="alreadyImported"/> says yes, is an error: nothing is imported twice.
    /// </summary>
    /// <remarks>
    /// A payee ID number that is not a valid resident ID still imports: it is the bank's record,
    /// and it simply matches no worker. Rows are checked and their numbers hashed on both cores;
    /// the checks across rows (and <paramref name="alreadyImported"/>) run in file order on the caller's thread.
    /// </remarks>
    public IEnumerable<Payout> ReadPayouts(Stream stream, string file, ICollection<ImportError> errors, Func<string, bool>? alreadyImported = null)
    {
        using var table = CsvTable.Open(stream, file, PayoutColumns, [], options.Payouts, DeclaredEncoding, errors);
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (line, payout) in table.ReadInParallel((ref CsvTableRow row) => ParsePayout(ref row)))
        {
            if (lines.TryGetValue(payout.TxnId, out var first))
            {
                table.Error(line, 0, $"duplicate txn_id '{payout.TxnId}' (first on line {first})");
            }
            else if (alreadyImported?.Invoke(payout.TxnId) == true)
            {
                table.Error(line, 0, $"txn_id '{payout.TxnId}' was imported before");
            }
            else
            {
                lines[payout.TxnId] = line;
                yield return payout;
            }
        }
    }

    private (long Line, Payout Payout) ParsePayout(ref CsvTableRow row)
    {
        var mapping = options.Payouts;
        var ok = true;
        var txn = Required(ref row, 0, ref ok);
        var payer = Account(ref row, 1, ref ok, repeats: true);
        var payeeName = Required(ref row, 2, ref ok);
        var payeeId = row[3].Length == 0 ? null : row[3];
        var payee = Account(ref row, 4, ref ok);
        var amount = Money(ref row, 5, ref ok);
        if (!YearMonth.TryParse(row[6], out var month))
        {
            ok = Fail(ref row, 6, "must be a month YYYY-MM");
        }

        var paidAt = Timestamp(ref row, 7, ref ok);
        var statusText = mapping.Values.GetValueOrDefault(row[8]) ?? row[8];
        var status = statusText.ToUpperInvariant() switch
        {
            "SUCCESS" => PayoutStatus.Success,
            "FAILED" => PayoutStatus.Failed,
            _ => (PayoutStatus?)null,
        };
        if (status is null)
        {
            ok = Fail(ref row, 8, "must be SUCCESS or FAILED");
        }

        return (row.Line, ok
            ? new Payout(txn, payer!.Value.Hash, payer.Value.Masked, payeeName,
                payeeId is null ? null : hasher.IdNumber(payeeId), payeeId is null ? null : Masking.IdNumber(payeeId),
                payee!.Value.Hash, payee.Value.Masked, amount!.Value, month, paidAt!.Value, status!.Value)
            : null!);
    }

    private static bool Fail(ref CsvTableRow row, int column, string reason)
    {
        row.Error(column, reason);
        return false;
    }

    private static string Required(ref CsvTableRow row, int column, ref bool ok)
    {
        var value = row[column];
        if (value.Length == 0)
        {
            ok = Fail(ref row, column, "is required");
        }

        return value;
    }

    private (string Hash, string Masked)? Account(ref CsvTableRow row, int column, ref bool ok, bool repeats = false)
    {
        var value = KeyedHasher.NormalizeAccount(row[column]);
        if (value.Length is < 8 or > 32 || value.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            ok = Fail(ref row, column, "must be a bank account number of 8-32 digits");
            return null;
        }

        // A bank file pays from a few wage accounts on every row: their hashes are kept rather
        // than computed a million times (bounded, so a file of all-different payers cannot grow it).
        if (repeats && _accounts.TryGetValue(value, out var known))
        {
            return known;
        }

        var account = (hasher.BankAccount(value), Masking.BankAccount(value));
        if (repeats && _accounts.Count < MaxCachedAccounts)
        {
            _accounts.TryAdd(value, account);
        }

        return account;
    }

    private const int MaxCachedAccounts = 10_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Hash, string Masked)> _accounts = new(StringComparer.Ordinal);

    // Money is yuan with at most two decimals: no sign, no thousands separators, no exponent.
    private static decimal? Money(ref CsvTableRow row, int column, ref bool ok)
    {
        var text = row[column];
        if (text.StartsWith('-'))
        {
            ok = Fail(ref row, column, "must not be negative");
            return null;
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || (point >= 0 && text.Length - point - 1 is < 1 or > 2))
        {
            ok = Fail(ref row, column, "must be an amount in yuan with at most two decimals (1234.50)");
            return null;
        }

        return value;
    }

    private static DateOnly? Date(ref CsvTableRow row, int column, bool required, ref bool ok)
    {
        var text = row[column];
        if (text.Length == 0 && !required)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        ok = Fail(ref row, column, "must be a date YYYY-MM-DD");
        return null;
    }

    private static readonly string[] LocalFormats =
        ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"];

    private static BankTimestamp? Timestamp(ref CsvTableRow row, int column, ref bool ok)
    {
        var text = row[column];
        if (HasOffset(text) && (IsoTimestamp.TryParse(text, out var instant) || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant)))
        {
            return new BankTimestamp(instant.DateTime, instant.Offset);
        }

        if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return new BankTimestamp(local, null);
        }

        ok = Fail(ref row, column, "must be an ISO 8601 date, or date and time (with or without offset)");
        return null;
    }

    private static bool HasOffset(ReadOnlySpan<char> text) =>
        text.Length > 10 && (text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 16 && text[^6] is '+' or '-' && text[^3] == ':'));
}

/// <summary>The fields of a good <c>punches.csv</c> row, valid only during the call they are given to.</summary>
/// <remarks>Site and person are in UTF-8, as the file's bytes hold them (trimmed as <see cref="string.Trim()"/> trims): they are matched without decoding them for every row.</remarks>
public readonly ref struct PunchFields(ReadOnlySpan<byte> siteId, ReadOnlySpan<byte> personId, Direction direction, DateTimeOffset occurredAt)
{
    /// <summary>The site id, trimmed, in UTF-8.</summary>
    public ReadOnlySpan<byte> SiteId { get; } = siteId;

    /// <summary>The person id, trimmed, in UTF-8.</summary>
    public ReadOnlySpan<byte> PersonId { get; } = personId;

    public Direction Direction { get; } = direction;

    public DateTimeOffset OccurredAt { get; } = occurredAt;
}

/// <summary>Makes what the caller keeps of a punch row (see <see cref="CsvImporter.ReadPunches{T}"/>); called on several threads at once.</summary>
public delegate T PunchProjection<T>(in PunchFields punch);
