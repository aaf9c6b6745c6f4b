// The classic notebook loads this with the JacLab kernel. It puts the running cell's id into each execute_request's
// metadata as "cellId" (what JupyterLab sends by itself), so that the kernel knows when a cell runs again and closes
// the widgets that cell showed before: their comms close and the kernel drops their listeners.
define(['notebook/js/codecell', 'services/kernels/kernel'], function (codecell, kernelModule) {
    'use strict';
    function onload() {
        var CodeCell = codecell.CodeCell, Kernel = kernelModule.Kernel;
        if (CodeCell.prototype.jaclabCellIds) return;
        CodeCell.prototype.jaclabCellIds = true;
        var execute = CodeCell.prototype.execute;
        CodeCell.prototype.execute = function () {
            var kernel = this.kernel;
            if (kernel) kernel.jaclabCellId = this.id || this.cell_id;
            try {
                return execute.apply(this, arguments);
            } finally {
                if (kernel) kernel.jaclabCellId = undefined;
            }
        };
        var send = Kernel.prototype.send_shell_message;
        Kernel.prototype.send_shell_message = function (msgType, content, callbacks, metadata, buffers) {
            if (msgType === 'execute_request' && this.jaclabCellId) {
                metadata = Object.assign({}, metadata || {}, {cellId: this.jaclabCellId});
            }
            return send.call(this, msgType, content, callbacks, metadata, buffers);
        };
    }
    return {onload: onload};
});
