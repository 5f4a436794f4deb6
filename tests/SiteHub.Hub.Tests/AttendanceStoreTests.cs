using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Ingest;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests;

public sealed class AttendanceStoreTests
{
    private static readonly DateTimeOffset Morning = new(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static AttendanceStore OpenAttendance(TempFolder folder, PunchStore punches) =>
        new(punches, Options.Create(new HubOptions { DataPath = folder.Path, TimeZone = "Asia/Shanghai" }), NullLogger<AttendanceStore>.Instance);

    private static Task<BatchAck> StoreOne(PunchStore store, int n, Direction direction, DateTimeOffset at, string person = "W1") =>
        store.StoreAsync("site-a", new PunchBatch("site-a", $"b{n}", [InProcessHub.MakePunch("site-a", "D1", n, person, direction, at)]), Token);

    [Fact]
    public async Task A_day_counts_every_punch_once_across_commits_and_reopens_of_both_stores()
    {
        using var folder = new TempFolder();
        using (var punches = PunchStoreTests.Open(folder))
        using (var attendance = OpenAttendance(folder, punches))
        {
            for (var i = 0; i < 3; i++)
            {
                await StoreOne(punches, i, i % 2 == 0 ? Direction.In : Direction.Out, Morning.AddHours(i));
            }

            attendance.CatchUp(Token);
            await StoreOne(punches, 2, Direction.In, Morning.AddHours(2)); // a duplicate: not a punch more
            attendance.CatchUp(Token);
            Assert.Equal(3, Assert.Single(attendance.AttendanceOf("W1")).Punches);
        }

        using var reopened = PunchStoreTests.Open(folder);
        using var reopenedAttendance = OpenAttendance(folder, reopened);
        await StoreOne(reopened, 9, Direction.Out, Morning.AddHours(9));
        reopenedAttendance.CatchUp(Token);

        var day = Assert.Single(reopenedAttendance.AttendanceOf("W1"));
        Assert.Equal((4, Morning, Morning.AddHours(9)), (day.Punches, day.FirstIn, day.LastOut));
        Assert.Equal(new AttendanceState(reopened.LastSeq, 0, null), reopenedAttendance.State);
    }

    [Fact]
    public async Task Days_of_a_date_first_met_empty_and_of_one_stored_before_a_restart_count_every_punch_once()
    {
        // A date met with nothing stored has every day of it cached (a missing one is new, not
        // looked up); a date that had days when the store opened is looked up. Both count right.
        using var folder = new TempFolder();
        using var punches = PunchStoreTests.Open(folder);
        using (var attendance = OpenAttendance(folder, punches))
        {
            await StoreOne(punches, 1, Direction.In, Morning, "W1");
            attendance.CatchUp(Token);
            await StoreOne(punches, 2, Direction.In, Morning.AddMinutes(1), "W2");
            await StoreOne(punches, 3, Direction.Out, Morning.AddHours(9), "W1");
            attendance.CatchUp(Token);
        }

        using var reopened = OpenAttendance(folder, punches);
        await StoreOne(punches, 4, Direction.In, Morning.AddMinutes(2), "W3"); // a new day of a date stored before
        await StoreOne(punches, 5, Direction.Out, Morning.AddHours(10), "W2"); // a stored day the new cache lacks
        await StoreOne(punches, 6, Direction.In, Morning.AddDays(1), "W1"); // the next date: nothing stored yet
        reopened.CatchUp(Token);
        await StoreOne(punches, 7, Direction.Out, Morning.AddDays(1).AddHours(9), "W1");
        await StoreOne(punches, 8, Direction.In, Morning.AddDays(1).AddMinutes(5), "W2");
        reopened.CatchUp(Token);

        Assert.Equal([(2, Morning, Morning.AddHours(9)), (2, Morning.AddDays(1), Morning.AddDays(1).AddHours(9))],
            reopened.AttendanceOf("W1").Select(d => (d.Punches, d.FirstIn, d.LastOut)));
        Assert.Equal([(2, Morning.AddMinutes(1), Morning.AddHours(10)), (1, Morning.AddDays(1).AddMinutes(5), null)],
            reopened.AttendanceOf("W2").Select(d => (d.Punches, d.FirstIn, d.LastOut)));
        Assert.Equal(1, Assert.Single(reopened.AttendanceOf("W3")).Punches);
        Assert.Equal(new AttendanceState(punches.LastSeq, 0, null), reopened.State);
    }

    [Fact]
    public async Task Punches_committed_while_the_attendance_store_was_closed_are_applied_when_it_opens()
    {
        using var folder = new TempFolder();
        using var punches = PunchStoreTests.Open(folder);
        using (var attendance = OpenAttendance(folder, punches))
        {
            await StoreOne(punches, 1, Direction.In, Morning);
            attendance.CatchUp(Token);
        }

        await StoreOne(punches, 2, Direction.Out, Morning.AddHours(8)); // the hub stopped between the two stores' commits
        using var reopened = OpenAttendance(folder, punches);
        Assert.Equal(1, reopened.State.Lag);
        reopened.CatchUp(Token);

        var day = Assert.Single(reopened.AttendanceOf("W1"));
        Assert.Equal((2, Morning, Morning.AddHours(8)), (day.Punches, day.FirstIn, day.LastOut));
    }

    [Fact]
    public async Task Deleting_the_attendance_file_rebuilds_every_day_from_the_punches()
    {
        using var folder = new TempFolder();
        using var punches = PunchStoreTests.Open(folder);
        for (var i = 0; i < 30; i++)
        {
            await StoreOne(punches, i, i % 2 == 0 ? Direction.In : Direction.Out, Morning.AddDays(i / 2).AddHours(i % 2 * 9), person: $"W{i % 3}");
        }

        List<AttendanceDay> before;
        using (var attendance = OpenAttendance(folder, punches))
        {
            attendance.CatchUp(Token);
            before = [.. Enumerable.Range(0, 3).SelectMany(w => attendance.AttendanceOf($"W{w}"))];
        }

        File.Delete(Path.Combine(folder.Path, "attendance.db"));
        File.Delete(Path.Combine(folder.Path, "attendance-log.db"));
        using var rebuilt = OpenAttendance(folder, punches);
        rebuilt.CatchUp(Token);

        Assert.Equal(before, Enumerable.Range(0, 3).SelectMany(w => rebuilt.AttendanceOf($"W{w}")));
        Assert.Equal(30, before.Sum(d => d.Punches));
    }

    [Fact]
    public async Task An_attendance_store_ahead_of_the_punches_starts_again_from_the_first_punch()
    {
        using var folder = new TempFolder();
        using (var restoredLater = new TempFolder())
        {
            using var punches = PunchStoreTests.Open(restoredLater);
            for (var i = 0; i < 5; i++)
            {
                await StoreOne(punches, i, Direction.In, Morning.AddDays(i), person: "W9");
            }

            using var attendance = OpenAttendance(restoredLater, punches);
            attendance.CatchUp(Token);
            File.Copy(Path.Combine(restoredLater.Path, "attendance.db"), Path.Combine(folder.Path, "attendance.db"));
        }

        // hub.db older than attendance.db (restored from a backup): two punches, the days' position at five.
        using var older = PunchStoreTests.Open(folder);
        await StoreOne(older, 1, Direction.In, Morning);
        await StoreOne(older, 2, Direction.Out, Morning.AddHours(9));
        using var rebuilt = OpenAttendance(folder, older);
        rebuilt.CatchUp(Token);

        Assert.Empty(rebuilt.AttendanceOf("W9"));
        Assert.Equal(2, Assert.Single(rebuilt.AttendanceOf("W1")).Punches);
        Assert.Equal(new AttendanceState(2, 0, null), rebuilt.State);
    }

    [Fact]
    public async Task Attendance_days_follow_the_time_zone_with_first_in_and_last_out()
    {
        using var folder = new TempFolder();
        using var store = PunchStoreTests.Open(folder);
        using var attendance = OpenAttendance(folder, store);
        // 23:30 UTC on 1 March is 07:30 on 2 March in Shanghai.
        var arrive = new DateTimeOffset(2026, 3, 1, 23, 30, 0, TimeSpan.Zero);
        var lunchOut = new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.FromHours(8));
        var lunchIn = new DateTimeOffset(2026, 3, 2, 13, 0, 0, TimeSpan.FromHours(8));
        var leave = new DateTimeOffset(2026, 3, 2, 17, 45, 0, TimeSpan.FromHours(8));

        await store.StoreAsync("site-a", new PunchBatch("site-a", "b1",
        [
            InProcessHub.MakePunch("site-a", "D1", 3, "W1", Direction.In, lunchIn),
            InProcessHub.MakePunch("site-a", "D1", 4, "W1", Direction.Out, leave),
            InProcessHub.MakePunch("site-a", "D1", 1, "W1", Direction.In, arrive),
            InProcessHub.MakePunch("site-a", "D1", 2, "W1", Direction.Out, lunchOut),
        ]), Token);
        attendance.CatchUp(Token);

        var day = Assert.Single(attendance.AttendanceOf("W1"));
        Assert.Equal(new DateTime(2026, 3, 2), day.Date);
        Assert.Equal(arrive, day.FirstIn);
        Assert.Equal(leave, day.LastOut);
        Assert.Equal(4, day.Punches);
    }

    [Fact]
    public async Task The_running_store_follows_each_commit_on_its_own()
    {
        using var folder = new TempFolder();
        using var store = PunchStoreTests.Open(folder);
        using var attendance = OpenAttendance(folder, store);
        await attendance.StartAsync(Token);

        await StoreOne(store, 1, Direction.In, Morning);
        await StoreOne(store, 2, Direction.Out, Morning.AddHours(9));

        await TestEnvironment.WaitUntilAsync(() => attendance.State.Lag == 0 && attendance.State.AppliedSeq == 2, TimeSpan.FromSeconds(10), "the attendance store to follow two commits", Token);
        Assert.Equal(2, Assert.Single(attendance.AttendanceOf("W1")).Punches);
        await attendance.StopAsync(Token);
    }
}
