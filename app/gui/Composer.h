#pragma once

#include <QPlainTextEdit>

namespace Tincan::Gui {

//! The message box: multi-line; Enter sends and Shift+Enter breaks the line (or the other way
//! round, see setEnterSends); files dropped or pasted become attachments; every edit reports
//! typing.
class Composer : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit Composer(QWidget *parent = nullptr);

    void setEnterSends(bool enterSends) { m_enterSends = enterSends; }
    bool enterSends() const { return m_enterSends; }
    QSize sizeHint() const override;

Q_SIGNALS:
    void sendRequested();
    //! Local files dropped or pasted (a pasted image arrives saved as a temporary PNG).
    void filesAttached(const QStringList &paths);
    void typing(bool active);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;

private:
    bool m_enterSends = true;
};

} // namespace Tincan::Gui
