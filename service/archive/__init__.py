"""The archive (归档): 档号 (DA/T 22-2015), 保管期限, the case file (卷宗) as PDF and ZIP, year exports, retention."""
