using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Mvc;

namespace SiteHub.Hub.WebUi.Exports;

/// <summary>One column of an exported table: its header (stable, snake_case, as the interchange files name theirs) and its text.</summary>
/// <typeparam name="T">The row.</typeparam>
public sealed record CsvColumn<T>(string Header, Func<T, string?> Value);

/// <summary>
/// The CSV download of a table the web UI shows (RFC 4180 through CsvHelper): UTF-8 with a byte
/// order mark so that Excel opens Chinese text correctly, and a field that
/// starts with <c>= + - @</c> (or a tab or carriage return) prefixed with <c>'</c> so that a
/// spreadsheet never runs it as a formula (CSV injection: a payee name or a file name comes from
/// outside). Fields are quoted where RFC 4180 needs it (a comma, a quote, a line break). Numbers and dates are written invariant (<c>1234.50</c>, ISO 8601).
/// </summary>
/// <remarks>
/// The guard makes a negative amount <c>'-12.00</c>: a spreadsheet shows it as text. That is the
/// price of the guard (OWASP's advice); the amounts SiteHub exports are not negative in practice.
/// </remarks>
public static class CsvExport
{
    public const string ContentType = "text/csv; charset=utf-8";

    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        Injection = CsvInjection.Escape,
        InjectionEscape = '\'',
        WriteByteOrderMark = true,
        FormatProvider = CultureInfo.InvariantCulture,
    };

    /// <summary>The table as CSV bytes: the byte order mark, the header row, one row per item.</summary>
    public static byte[] Write<T>(IEnumerable<T> rows, IReadOnlyList<CsvColumn<T>> columns)
    {
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, Options, leaveOpen: true))
        {
            csv.WriteHeader([.. columns.Select(c => c.Header)]);
            var fields = new string[columns.Count];
            foreach (var row in rows)
            {
                for (var i = 0; i < columns.Count; i++)
                {
                    fields[i] = columns[i].Value(row) ?? "";
                }

                csv.WriteRecord(fields);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The table as a download named <paramref name="name"/><c>.csv</c> (characters unsafe in a file name replaced).</summary>
    public static FileContentResult File<T>(string name, IEnumerable<T> rows, IReadOnlyList<CsvColumn<T>> columns) =>
        new(Write(rows, columns), ContentType) { FileDownloadName = SafeFileName(name) + ".csv" };

    /// <summary>A file name from ids a user may have typed: letters, digits, <c>-</c>, <c>_</c> and <c>.</c> only.</summary>
    public static string SafeFileName(string name)
    {
        var safe = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            safe.Append(char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return safe.Length == 0 ? "export" : safe.ToString();
    }

    /// <summary>Yuan with two decimals.</summary>
    public static string? Money(decimal? value) => value?.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>A whole number.</summary>
    public static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    /// <summary>An instant, ISO 8601 with its offset.</summary>
    public static string? Time(DateTimeOffset? value) => value?.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>A day, ISO 8601.</summary>
    public static string? Date(DateOnly? value) => value?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
